/**
 * Export of the current selection: the file streams from the server (downloaded with the key in a
 * header, so never through a URL), then its signed manifest is fetched and checked against the
 * bytes received here: count of bytes and SHA-256.
 */
import { useSignal } from '@preact/signals';
import { api, type Manifest, request } from '../api';
import { download } from '../download';
import { ErrorNote, number } from '../format';
import { bytesToHex, sha256 } from '../verify/hashing';

export function ExportPanel({ q }: { q: string }) {
  const format = useSignal('csv');
  const busy = useSignal(false);
  const error = useSignal<unknown>(undefined);
  const result = useSignal<{ manifest: Manifest; matches: boolean } | undefined>(undefined);
  const run = async () => {
    busy.value = true;
    error.value = undefined;
    result.value = undefined;
    try {
      const response = await request(api.exportUrl(format.value, q));
      const blob = await response.blob();
      const name =
        /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ??
        `audit-export.${format.value}`;
      download(blob, name);
      const manifestPath = response.headers.get('x-auditkit-manifest') ?? '';
      const manifest = await api.manifest(manifestPath.replace(/^.*\/api/, ''));
      const digest = bytesToHex(await sha256(new Uint8Array(await blob.arrayBuffer())));
      result.value = { manifest, matches: digest === manifest.sha256 && blob.size === manifest.bytes };
      download(
        new Blob([JSON.stringify(manifest, null, 2)], { type: 'application/json' }),
        `${name}.manifest.json`,
      );
    } catch (e) {
      error.value = e;
    } finally {
      busy.value = false;
    }
  };
  return (
    <div class="export">
      <label>
        <span>Export format</span>
        <select value={format.value} onChange={(e) => (format.value = (e.target as HTMLSelectElement).value)}>
          <option value="csv">CSV</option>
          <option value="json">JSON</option>
          <option value="ndjson">NDJSON</option>
        </select>
      </label>
      <button type="button" onClick={run} disabled={busy.value}>
        {busy.value ? 'Exporting…' : 'Export'}
      </button>
      {result.value && (
        <p class={result.value.matches ? 'ok' : 'error'} role="status">
          {result.value.matches
            ? `Exported ${number(result.value.manifest.count)} events; the manifest's SHA-256 matches the file${result.value.manifest.signature ? ' and is signed' : ''}.`
            : 'The file received does not match its manifest.'}
        </p>
      )}
      <ErrorNote error={error.value} />
    </div>
  );
}
