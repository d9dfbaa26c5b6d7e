// "Copy link": the page's whole state in the URL fragment (never sent to the server), copied to the clipboard
// and shown, with warnings for a link too long to paste safely and for text that looks like a credential.

import { useState } from 'react';
import { encodeShareFragment } from '../share/codec.ts';
import { linkWarnings, type LinkWarnings } from '../share/warnings.ts';
import type { PlaygroundState } from '../state.ts';

interface Made {
  link: string;
  copied: boolean;
  warnings: LinkWarnings;
}

export function ShareButton({ state }: { state: PlaygroundState }) {
  const [made, setMade] = useState<Made | null>(null);
  const make = async () => {
    const link = `${location.origin}/playground/${state.page}#${encodeShareFragment(state)}`;
    const warnings = linkWarnings(state, link);
    let copied = false;
    try {
      await navigator.clipboard.writeText(link);
      copied = true;
    } catch {
      // No clipboard permission (or no secure context): the link is shown to copy by hand.
    }
    setMade({ link, copied, warnings });
  };
  return (
    <div className="share">
      <button type="button" onClick={() => void make()}>
        Copy link
      </button>
      {made ? (
        <div className="share-panel" role="dialog" aria-label="Share link">
          <p>
            {made.copied ? 'Copied to the clipboard' : 'Copy this link'} ({made.link.length.toLocaleString('en-US')}{' '}
            characters). It holds everything on this page and is never sent to the server.
          </p>
          <input
            aria-label="Share link"
            readOnly
            value={made.link}
            onFocus={(e) => e.currentTarget.select()}
            spellCheck={false}
          />
          {made.warnings.long ? <p className="warn">{made.warnings.long}</p> : null}
          {made.warnings.secrets.map((s) => (
            <p key={`${s.doc} ${s.what}`} className="warn">
              The {s.doc} editor holds what looks like {s.what}: anyone with this link can read it.
            </p>
          ))}
          <button type="button" onClick={() => setMade(null)}>
            Close
          </button>
        </div>
      ) : null}
    </div>
  );
}
