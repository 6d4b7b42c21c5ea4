#!/usr/bin/env node
// The `mesh` command. TypeScript sources run through tsx (protons emits namespaces that Node's own type stripping rejects).
const [major] = process.versions.node.split(".").map(Number)
if (major < 22) {
  process.stderr.write(
    `mesh needs Node 22 or newer (this is ${process.version}). Run it through npm so the project's own Node comes first: npx mesh ...\n`
  )
  process.exit(1)
}
const { register } = await import("tsx/esm/api")
register()
await import("../runtime/cli/main.ts")
