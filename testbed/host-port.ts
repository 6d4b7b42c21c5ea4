// "HOST:PORT" as the proxy flags write it; an IPv6 host goes in brackets ("[::1]:8080").

export interface HostPort {
  readonly host: string
  readonly port: number
}

export const parseHostPort = (text: string): HostPort => {
  const colon = text.lastIndexOf(":")
  const host = text.slice(0, colon).replace(/^\[(.*)\]$/, "$1")
  const portText = text.slice(colon + 1)
  const port = Number(portText)
  if (colon <= 0 || host === "" || !/^\d+$/.test(portText) || port > 65535) {
    throw new Error(`expected HOST:PORT, got ${JSON.stringify(text)}`)
  }
  return { host, port }
}

export const formatHostPort = ({ host, port }: HostPort): string =>
  host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`
