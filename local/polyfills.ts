/**
 * Polyfills for the local runtime only (never bundled into a Lambda). Import this module before anything
 * that needs them.
 *
 * `Promise.withResolvers` (ES2024, Node 22+): aws-local-stepfunctions 3.x calls it in every Task state,
 * and `engines.node` here allows Node 20, which lacks it.
 */

interface PromiseWithResolversShape<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

type PromiseConstructorWithResolvers = PromiseConstructor & {
  withResolvers?: <T>() => PromiseWithResolversShape<T>;
};

if (typeof (Promise as PromiseConstructorWithResolvers).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor): PromiseWithResolversShape<T> {
      let resolve!: PromiseWithResolversShape<T>['resolve'];
      let reject!: PromiseWithResolversShape<T>['reject'];
      // `this`, as the spec does, so that subclasses of Promise get their own kind of promise.
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
