// One HTTP answer of the fake cloud. A leaf: the server sends it, and the handlers it
// dispatches to (control, services) build it without importing the server back.
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}
