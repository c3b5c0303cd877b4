// Runs our protocol-codec-tool (test/protocol_compat/codec_tool.cpp) on a batch of commands and
// returns its JSON replies, one per command, in order.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export function toolPath() {
  const path = process.env.PROTOCOL_CODEC_TOOL;
  if (!path) {
    throw new Error("set PROTOCOL_CODEC_TOOL to the protocol-codec-tool binary (run.sh does)");
  }
  if (!existsSync(path)) throw new Error(`PROTOCOL_CODEC_TOOL=${path} does not exist`);
  return path;
}

// commands: array of strings such as "decode 07" or "encode {...}" (no newlines inside).
export function runTool(commands) {
  const result = spawnSync(toolPath(), [], {
    input: commands.join("\n") + "\n",
    maxBuffer: 1 << 30,
    encoding: "utf8",
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`codec tool exited with ${result.status}: ${result.stderr}`);
  }
  const lines = result.stdout.split("\n").filter((l) => l.length > 0);
  if (lines.length !== commands.length) {
    throw new Error(`codec tool answered ${lines.length} lines for ${commands.length} commands`);
  }
  return lines.map((l) => JSON.parse(l));
}
