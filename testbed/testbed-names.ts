// Names of a testbed's namespaces and links: unique per process and testbed, under Linux's 15-character interface
// limit, and carrying the owner's pid so a later run can sweep what a crashed one left behind.

const NAME_PATTERN = /^tb(\d+)x\d+[a-z]+\d*$/

export interface TestbedNames {
  /** `tb<pid>x<serial>`: the prefix every name of this testbed starts with. */
  readonly id: string
  readonly bridge: string
  /** Host `n` counts from 1. */
  namespace(host: number): string
  /** The root-namespace end of host `n`'s veth pair, enslaved to the bridge. */
  rootVeth(host: number): string
}

export const MAX_HOSTS = 99
export const MAX_INTERFACE_NAME = 15

export const testbedNames = (pid: number, serial: number): TestbedNames => {
  const id = `tb${pid}x${serial}`
  const names: TestbedNames = {
    id,
    bridge: `${id}br`,
    namespace: (host) => `${id}h${host}`,
    rootVeth: (host) => `${id}r${host}`
  }
  if (names.rootVeth(MAX_HOSTS).length > MAX_INTERFACE_NAME) {
    throw new RangeError(`testbed serial ${serial} makes interface names longer than ${MAX_INTERFACE_NAME}`)
  }
  return names
}

/** The pid that created a testbed namespace or link, or undefined for a name that is not a testbed's. */
export const ownerPid = (name: string): number | undefined => {
  const match = NAME_PATTERN.exec(name)
  return match?.[1] === undefined ? undefined : Number(match[1])
}

export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}
