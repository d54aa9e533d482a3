// vitest globalSetup for the `aws` project: one moto server for every test file, stopped at the end.
import type { TestProject } from 'vitest/node';
import { startMotoServer, type MotoServer } from './moto-server.js';

let server: MotoServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startMotoServer({ onProgress: (message) => console.log(`[moto] ${message}`) });
  project.provide('motoEndpoint', server.endpoint);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  server = undefined;
}
