import { useState } from 'react';
import { download, getBlob } from '../api';
import { useStepUp } from '../step-up';

/** Characters kept in a downloaded file's name (ids hold ":"). */
function fileName(id: string, format: string): string {
  return `${[...id].map((c) => (/[A-Za-z0-9._-]/.test(c) ? c : '_')).join('')}-report.${format}`;
}

/**
 * "Download report" in HTML (printable) and JSON: GET {path}?format=…, a sensitive export that
 * asks for the second factor when the API wants it.
 */
export function ReportButtons({ path, id }: { path: string; id: string }): React.JSX.Element {
  const stepUp = useStepUp();
  const [message, setMessage] = useState<string | null>(null);

  const fetchReport = async (format: 'html' | 'json'): Promise<void> => {
    setMessage(null);
    try {
      const blob = await stepUp.run(() => getBlob(`${path}?format=${format}`));
      download(blob, fileName(id, format));
      setMessage(`The ${format.toUpperCase()} report is in your downloads.`);
    } catch (caught) {
      setMessage(
        `The report could not be downloaded: ${caught instanceof Error ? caught.message : ''}`,
      );
    }
  };

  return (
    <div className="actions" role="group" aria-label="Download report">
      <button type="button" onClick={() => void fetchReport('html')}>
        Download report (HTML)
      </button>
      <button type="button" onClick={() => void fetchReport('json')}>
        Download report (JSON)
      </button>
      <span role="status">{message}</span>
    </div>
  );
}
