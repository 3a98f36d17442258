/** The slice of `node:async_hooks` that workerd provides under the `nodejs_als` flag. */
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, fn: () => R): R;
    getStore(): T | undefined;
  }
}
