import WebSocket from 'ws';

/** The WebSocket class in Node (20 has no global one). Bundlers use `browser-websocket` instead (package.json). */
export const WebSocketClass = WebSocket as unknown as typeof globalThis.WebSocket;
