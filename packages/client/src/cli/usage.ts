/** A command line the CLI cannot run: a missing or bad flag, an unknown command (exit code 2). */
export class UsageError extends Error {}

export const EXIT = {
  ok: 0,
  /** The exchange refused (its code and message are printed). */
  refused: 1,
  usage: 2,
  /** The exchange could not be reached, or did not answer in time. */
  unreachable: 3,
  /** `buy --wait`: the order or a lease ended without the GPUs delivered. */
  undelivered: 4,
  /** Declined at the confirmation prompt, or interrupted. */
  aborted: 130,
} as const;

export const HELP = `gpux: the GPU-hour exchange from a terminal

Market data
  gpux markets [--gpu H100-SXM] [--region us-east] [--class firm|int]
  gpux book SYMBOL [--depth 10] [--watch]
  gpux trades SYMBOL [--limit 20]
Buying and selling
  gpux buy --gpu H100-SXM --region us-east --gpus 64 --hours 24 --max-price 2.10 [--class firm] [--yes] [--wait [--timeout 600]]
  gpux sell --cluster ID --gpus 16 --price 2.40 [--class firm] [--until 2026-12-31T00:00:00Z | --until 48h]
Orders and leases
  gpux orders [--status open|filled|cancelled|expired] [--symbol S] [--limit N]
  gpux cancel ORDER_ID | gpux cancel --all [--symbol S]
  gpux amend ORDER_ID [--price P] [--gpus N]
  gpux fills [--limit N]
  gpux leases [LEASE_ID] [--limit N]
  gpux release LEASE_ID
Clusters, account and keys
  gpux clusters add --name NAME --gpu H100-SXM --region us-east --gpus 64 --webhook URL
  gpux clusters list
  gpux account [--limit 20]
  gpux keys list | gpux keys create --label L --scopes trade,read | gpux keys revoke KEY_ID

Every command takes --json (machine-readable output), --url, --api-key and --profile.
Configuration: --url / GPUX_URL (default http://127.0.0.1:8080), --api-key / GPUX_API_KEY, or a profile
(--profile / GPUX_PROFILE, default "default") in $GPUX_CONFIG or ~/.config/gpux/config.json:
  {"profiles": {"default": {"url": "https://exchange.example", "apiKey": "gpx_..."}}}
Exit codes: 0 done, 1 refused by the exchange, 2 bad usage, 3 exchange unreachable or no answer in time,
4 buy --wait ended without delivery, 130 declined or interrupted.`;
