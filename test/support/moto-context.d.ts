// The value test/support/moto-setup.ts provides to the `aws` project's tests: `inject('motoEndpoint')`.
declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}
export {};
