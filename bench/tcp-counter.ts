// A loopback TCP relay that counts the bytes crossing it each way: what the mesh really puts on the wire, libp2p's
// noise and yamux framing included.
import { createConnection, createServer, type Server, type Socket } from "node:net"

export interface TcpCounter {
  readonly port: number
  /** Bytes from the dialer towards the target, and back. */
  readonly counts: () => { readonly up: number; readonly down: number }
  readonly close: () => Promise<void>
}

export const startTcpCounter = (targetHost: string, targetPort: number): Promise<TcpCounter> =>
  new Promise((resolve, reject) => {
    let up = 0
    let down = 0
    const sockets = new Set<Socket>()
    const server: Server = createServer((inbound) => {
      inbound.setNoDelay(true)
      const outbound = createConnection({ host: targetHost, port: targetPort, noDelay: true })
      for (const socket of [inbound, outbound]) {
        sockets.add(socket)
        socket.once("close", () => sockets.delete(socket))
        socket.on("error", () => {
          inbound.destroy()
          outbound.destroy()
        })
      }
      inbound.on("data", (chunk: Buffer) => {
        up += chunk.length
        outbound.write(chunk)
      })
      outbound.on("data", (chunk: Buffer) => {
        down += chunk.length
        inbound.write(chunk)
      })
      inbound.on("end", () => outbound.end())
      outbound.on("end", () => inbound.end())
    })
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      if (address === null || typeof address === "string") return reject(new Error("no port"))
      resolve({
        port: address.port,
        counts: () => ({ up, down }),
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })
