/**
 * The key a client's fair-use budget is filed under, from its remote address.
 *
 * - IPv4: the address itself (`203.0.113.7`).
 * - IPv4-mapped IPv6 (`::ffff:203.0.113.7`, as a dual-stack socket reports IPv4 peers): the IPv4 address, so one
 *   client has one budget whichever stack it arrives on.
 * - Any other IPv6: its /64 (`2001:db8:0:0::/64`), because a single subscriber is routinely handed a whole /64 and can
 *   rotate through it at will. Compressed, expanded, uppercase and zoned (`fe80::1%eth0`) spellings all agree.
 * - Anything else: `unparsable:` plus (at most 64 characters of) the input, a key of its own that no address can
 *   produce. Truncation only merges junk with junk, which can only make its budget tighter.
 *
 * Never throws.
 */
export const clientKey = (ip: string): string => {
  const ipv4 = parseIpv4(ip)
  if (ipv4 !== undefined) return ipv4.join(".")
  const groups = parseIpv6(ip)
  if (groups === undefined) return `${UNPARSABLE_PREFIX}${ip.slice(0, MAX_UNPARSABLE_KEEP)}`
  if (isIpv4Mapped(groups)) return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join(".")
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`
}

/** Starts with `u`, which no IPv4 key (a digit) or IPv6 key (a hex digit) can. */
const UNPARSABLE_PREFIX = "unparsable:"
const MAX_UNPARSABLE_KEEP = 64

/** A decimal octet without leading zeros: `010` is octal to some parsers and decimal to others, so it is refused. */
const OCTET = /^(0|[1-9][0-9]{0,2})$/
const HEX_GROUP = /^[0-9a-f]{1,4}$/i

/** Dotted-quad IPv4 as four octets, or undefined. */
const parseIpv4 = (text: string): ReadonlyArray<number> | undefined => {
  const parts = text.split(".")
  if (parts.length !== 4) return undefined
  const octets: number[] = []
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined
    const octet = Number(part)
    if (octet > 255) return undefined
    octets.push(octet)
  }
  return octets
}

/** IPv6 (RFC 4291 text forms, optional `%zone`) as its eight 16-bit groups, or undefined. */
const parseIpv6 = (text: string): ReadonlyArray<number> | undefined => {
  const zoneAt = text.indexOf("%")
  // The zone names the local interface, not the peer; it only has to be present if the `%` is.
  if (zoneAt >= 0 && zoneAt === text.length - 1) return undefined
  const address = zoneAt >= 0 ? text.slice(0, zoneAt) : text
  const halves = address.split("::")
  if (halves.length > 2) return undefined
  if (halves.length === 1) {
    const groups = parseGroups(address, true)
    return groups?.length === 8 ? groups : undefined
  }
  const head = parseGroups(halves[0]!, false)
  const tail = parseGroups(halves[1]!, true)
  // `::` stands for at least one zero group.
  if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
}

/** Colon-separated groups; the last may be an embedded IPv4 address (two groups) where `ipv4Last` allows it. */
const parseGroups = (text: string, ipv4Last: boolean): number[] | undefined => {
  if (text === "") return []
  const parts = text.split(":")
  const groups: number[] = []
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index]!
    if (ipv4Last && index === parts.length - 1 && part.includes(".")) {
      const octets = parseIpv4(part)
      if (octets === undefined) return undefined
      groups.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!)
    } else if (HEX_GROUP.test(part)) {
      groups.push(Number.parseInt(part, 16))
    } else {
      return undefined
    }
  }
  return groups
}

/** `::ffff:0:0/96`. */
const isIpv4Mapped = (groups: ReadonlyArray<number>): boolean =>
  groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff
