#!/usr/bin/env node
// The `genomcore-events` command (upload | export | delete | query); see `--help`.
import { main } from '../cli/main.mjs';

// Exit explicitly: the work is done (writes to pipes and files are flushed by then),
// and a lingering handle, such as a paused standard input, must not keep it alive.
process.exit(await main(process.argv.slice(2)));
