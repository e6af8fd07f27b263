// Public surface of @microtodo/kit. Each part lives in its own folder.
export {};
