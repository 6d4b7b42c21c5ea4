// An in-process TCP echo server and client helpers for the fault proxy tests.
import { type AddressInfo, connect, createServer, type Socket } from "node:net"
import { performance } from "node:perf_hooks"

export interface EchoServer {
  readonly port: number
  /** Reads the server has seen, over all connections. */
  chunksReceived(): number
  /** Server-side sockets that ended with an error (for example a reset from the proxy). */
  errors(): ReadonlyArray<string>
  close(): Promise<void>
}

export const startEchoServer = async (host = "127.0.0.1"): Promise<EchoServer> => {
  let chunks = 0
  const errors: Array<string> = []
  const sockets = new Set<Socket>()
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket)
    socket.on("data", (chunk: Buffer) => {
      chunks += 1
      socket.write(chunk)
    })
    socket.on("error", (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message))
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen({ host, port: 0 }, resolve))
  return {
    port: (server.address() as AddressInfo).port,
    chunksReceived: () => chunks,
    errors: () => errors,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

export const connectTo = (port: number, host = "127.0.0.1"): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true })
    socket.once("connect", () => {
      socket.off("error", reject)
      resolve(socket)
    })
    socket.once("error", reject)
  })

/** Resolves once `bytes` bytes have arrived on the socket, with everything read. */
export const readBytes = (socket: Socket, bytes: number, timeoutMs = 10_000): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let received = 0
    const finish = (outcome: () => void) => {
      clearTimeout(timer)
      socket.off("data", onData)
      socket.off("close", onClose)
      outcome()
    }
    const onData = (chunk: Buffer) => {
      chunks.push(chunk)
      received += chunk.length
      if (received >= bytes) finish(() => resolve(Buffer.concat(chunks)))
    }
    const onClose = () => finish(() => reject(new Error(`closed after ${received} of ${bytes} bytes`)))
    const timer = setTimeout(
      () => finish(() => reject(new Error(`${received} of ${bytes} bytes in ${timeoutMs} ms`))),
      timeoutMs
    )
    socket.on("data", onData)
    socket.once("close", onClose)
  })

/** Milliseconds from writing `payload` until its echo is back in full. */
export const roundTrip = async (socket: Socket, payload: Buffer | string = "ping"): Promise<number> => {
  const bytes = Buffer.from(payload)
  const started = performance.now()
  const echoed = readBytes(socket, bytes.length)
  socket.write(bytes)
  const received = await echoed
  const elapsed = performance.now() - started
  if (!received.equals(bytes)) throw new Error("echo differs from what was sent")
  return elapsed
}

/** How a socket ended: the error code, "close-with-error", or "clean". */
export const socketOutcome = (socket: Socket): Promise<string> =>
  new Promise((resolve) => {
    let code: string | undefined
    socket.once("error", (error: NodeJS.ErrnoException) => {
      code = error.code ?? error.message
    })
    socket.once("close", (hadError) => resolve(code ?? (hadError ? "close-with-error" : "clean")))
  })

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
