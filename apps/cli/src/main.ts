// The `keyfleet` command: submit and follow batches, and administer the pool, over keyfleet's API.
import { Command, CommanderError, Option } from 'commander';
import { cancel } from './commands/cancel';
import { importKeys } from './commands/key-import';
import { listKeys, rotateKey } from './commands/keys';
import { addProject, listProjects } from './commands/projects';
import { results } from './commands/results';
import { submit } from './commands/submit';
import { quota } from './commands/quota';
import { usage } from './commands/usage';
import { watch } from './commands/watch';
import { DEFAULT_URL } from './connection';
import { CliError, ExitCode } from './exit-codes';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Runs an action with its positional arguments, then the command's options merged with the global ones. */
function run(action: (...args: never[]) => Promise<void>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    await action(...([...args.slice(0, -2), command.optsWithGlobals()] as never[]));
  };
}

export function program(): Command {
  const cli = new Command('keyfleet')
    .description("keyfleet's command line: batches for clients, the pool for admins")
    .version('0.1.0')
    .addOption(new Option('--url <url>', `keyfleet's base URL (env KEYFLEET_URL, default ${DEFAULT_URL})`))
    .addOption(
      new Option(
        '--key <key>',
        'client key kf_… (env KEYFLEET_KEY); admin commands: the admin token (env KF_ADMIN_TOKEN)',
      ),
    )
    .option('--json', 'print JSON instead of text')
    .showHelpAfterError()
    .exitOverride();

  cli
    .command('submit')
    .description('submit an NDJSON file ({key, request} a line) as a batch; prints the batch id')
    .argument('<file>', 'the .jsonl file')
    .requiredOption('--model <model>', 'the model every request goes to')
    .option('--display-name <name>', 'a name for the batch')
    .option('--priority <n>', 'order among your own batches, -100 to 100 (default 0)')
    .option('--lane <lane>', 'live (default), economy (Google Batch Mode, half price) or auto')
    .option('--deadline <time>', 'ISO time by which every item should be final (auto decides by it)')
    .option('--idempotency-key <key>', 'a retried submission with this key returns the first batch')
    .action(run(submit));
  cli
    .command('watch')
    .description('follow a batch to its end: progress, counts, rate and ETA')
    .argument('<batch-id>')
    .option('--interval <ms>', 'how often to read the batch', '1000')
    .action(run(watch));
  cli
    .command('results')
    .description("write the batch's results to stdout as NDJSON")
    .argument('<batch-id>')
    .action(run(results));
  cli
    .command('cancel')
    .description("cancel a batch's pending items")
    .argument('<batch-id>')
    .action(run(cancel));

  const projects = cli.command('projects').description('admin: upstream projects');
  projects
    .command('add')
    .description('register a project')
    .argument('<name>')
    .addOption(new Option('--tier <tier>', 'limits preset').choices(['free', 'tier1', 'tier2', 'tier3']))
    .addOption(new Option('--issuer <issuer>', 'who issues its keys').choices(['manual', 'google-api-keys']))
    .option('--gcp-project <id>', 'the Google Cloud project id')
    .option('--service-account <email>', 'the service account its auth keys are bound to (google-api-keys)')
    .option('--limit <model=rpm:tpm[:rpd]>', 'explicit limits for a model (repeatable)', collect, [])
    .option('--egress-ip <ip>', 'an address its requests leave from (repeatable)', collect, [])
    .action(run(addProject));
  projects.command('ls').description('list projects').action(run(listProjects));

  const keys = cli.command('keys').description('admin: upstream keys');
  keys
    .command('import')
    .description('add keys from a CSV file (project,secret a line); reports what was added and refused')
    .argument('<file>')
    .action(run(importKeys));
  keys
    .command('ls')
    .description('list keys')
    .option('--due <days>', 'only keys due for rotation within this many days (overdue included)')
    .option('--project <name-or-id>')
    .addOption(new Option('--status <status>').choices(['active', 'retiring', 'disabled', 'revoked']))
    .action(run(listKeys));
  keys
    .command('rotate')
    .description('rotate a key now (manual projects: the new key from --secret-file, - for stdin)')
    .argument('<key-id>')
    .option('--secret-file <file>', 'file holding the replacement key')
    .action(run(rotateKey));
  cli.command('quota').description("admin: the pool's use against its limits").action(run(quota));
  cli
    .command('usage')
    .description('admin: requests, tokens and cost per client (or as grouped), this month unless given')
    .option('--group-by <dims>', 'comma-separated: client, project, model, day, lane, batch')
    .option('--from <date>', 'ISO date or date-time (UTC)')
    .option('--to <date>', 'ISO date or date-time, exclusive')
    .action(run(usage));
  return cli;
}

/** Runs the CLI and exits with a code a script can rely on (see exit-codes.ts). */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, having printed what was asked.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version'
        ? ExitCode.Ok
        : ExitCode.Usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`keyfleet: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(
      `keyfleet: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    return ExitCode.Failure;
  }
}

// Run directly (the compiled dist/apps/cli/src/main.js in the image); bin/keyfleet.js calls main() itself.
if (require.main === module) {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
