const NO_TRANSACTION_MARKER = "-- migrate:no-transaction";
const CONTRACT_AFTER_MARKER = "-- migrate:contract-after";

/** What a migration's leading comment lines ask of the runner. */
export interface MigrationHeader {
  /** False when the first line is `-- migrate:no-transaction`: its statements run one by one. */
  transactional: boolean;
  /** The expand step named by a `-- migrate:contract-after <tag>` line among the leading comments. */
  contractAfter: string | undefined;
}

/** The one reader of the markers, for the runner and the lint alike. */
export function migrationHeader(sql: string): MigrationHeader {
  const lines = sql.trimStart().split("\n");
  const end = lines.findIndex((line) => !line.trim().startsWith("--"));
  const contractAfter = (end === -1 ? lines : lines.slice(0, end))
    .map((line) => line.trim())
    .find((line) => line.startsWith(`${CONTRACT_AFTER_MARKER} `));
  return {
    transactional: !(lines[0] ?? "").startsWith(NO_TRANSACTION_MARKER),
    contractAfter: contractAfter?.slice(CONTRACT_AFTER_MARKER.length).trim(),
  };
}
