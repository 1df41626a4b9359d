/**
 * The only way the app builds DOM: elements from tag names, text through text nodes. User-supplied strings never
 * meet an HTML parser, so a message like `<img onerror=…>` shows as exactly those characters.
 */
export type Child = Node | string | null | undefined | false;

export type Attrs = Record<string, string | number | boolean | null | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  children: Child | readonly Child[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) setAttr(node, name, value);
  node.append(...nodes(children));
  return node;
}

/** Sets an attribute; `false`, `null` and `undefined` remove it, `true` sets it empty. */
export function setAttr(node: Element, name: string, value: Attrs[string]): void {
  if (value === false || value === null || value === undefined) node.removeAttribute(name);
  else node.setAttribute(name, value === true ? '' : String(value));
}

/** Replaces all of `parent`'s children; strings become text nodes. */
export function setChildren(parent: Element, children: Child | readonly Child[]): void {
  parent.replaceChildren(...nodes(children));
}

/** The element with this id, which the page is known to contain. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node as T;
}

function nodes(children: Child | readonly Child[]): (Node | string)[] {
  const list: readonly Child[] = Array.isArray(children) ? children : [children as Child];
  return list.filter((c): c is Node | string => c !== null && c !== undefined && c !== false);
}
