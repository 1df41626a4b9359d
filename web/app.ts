import { ChatApp } from './chat-app.js';

void new ChatApp().start();
