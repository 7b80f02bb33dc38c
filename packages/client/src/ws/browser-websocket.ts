/** The WebSocket class in a browser: its own (package.json's `browser` field maps `node-websocket` here). */
export const WebSocketClass = globalThis.WebSocket;
