// How `mesh task` prints tasks: one line each in a list, every field for one.
import type { TaskResult } from "../../control/messages.ts"

const shorten = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text)

export const formatTaskLine = (task: TaskResult): string =>
  [
    task.id,
    task.source.padEnd(10),
    task.decision.padEnd(8),
    task.tier === undefined ? "-" : `t${task.tier}`,
    shorten(task.actionJson || task.output || "-", 72),
    task.reason === "" ? "" : `(${shorten(task.reason, 60)})`
  ].join("  ")

export const formatTaskList = (tasks: ReadonlyArray<TaskResult>): string =>
  tasks.length === 0
    ? "no tasks recorded"
    : [`id                     source      decision  tier  action`, ...tasks.map(formatTaskLine)].join("\n")

export const formatTask = (task: TaskResult, record?: Record<string, unknown>): string => {
  const lines = [
    `task ${task.id}`,
    `  source    ${task.source}`,
    `  started   ${new Date(task.startedAtMs).toISOString()} (${task.finishedAtMs - task.startedAtMs} ms)`,
    `  experts   ${task.experts.join(", ") || "-"}`,
    `  output    ${task.output || "-"}`,
    `  action    ${task.actionJson || "-"}`,
    `  tier      ${task.tier ?? "-"}`,
    `  decision  ${task.decision}${task.reason === "" ? "" : `: ${task.reason}`}`,
    `  result    ${task.resultJson || "-"}`
  ]
  if (record !== undefined) {
    lines.push(`  prompt    ${JSON.stringify(record.prompt)}`)
    lines.push(`  figures   ${JSON.stringify(record.figures)}`)
    lines.push(`  governance ${JSON.stringify(record.governance)}`)
  }
  return lines.join("\n")
}
