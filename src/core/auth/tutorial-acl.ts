/** The user ACL of the Stitch tutorial: every client API path a chat user needs. */
export const TUTORIAL_ACL = {
  paths: Object.fromEntries(
    [
      '/v1/users/**',
      '/v1/conversations/**',
      '/v1/sessions/**',
      '/v1/devices/**',
      '/v1/image/**',
      '/v3/media/**',
      '/v1/applications/**',
      '/v1/push/**',
      '/v1/knocking/**',
    ].map((path) => [path, {}]),
  ),
};
