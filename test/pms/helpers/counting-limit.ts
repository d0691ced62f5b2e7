/** A limiter for adapters under test that lets every request through and counts how often it was asked. */
export interface CountingLimit {
  throttled: { count: number };
  withinLimit<T>(send: () => Promise<T>): Promise<T>;
}

export function countingLimit(): CountingLimit {
  const throttled = { count: 0 };
  return {
    throttled,
    withinLimit: async (send) => {
      throttled.count++;
      return send();
    },
  };
}
