/** What a service's `start` returns: something that stops it, draining its in-flight work. */
export type ServiceHandle = AsyncDisposable | { close(): Promise<void> };

export async function disposeService(handle: ServiceHandle): Promise<void> {
  if (Symbol.asyncDispose in handle) await handle[Symbol.asyncDispose]();
  else await handle.close();
}
