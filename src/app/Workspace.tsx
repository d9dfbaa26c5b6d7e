import { PodPicker } from '../terminal/PodPicker.tsx';
import { TerminalTabs, useTerminalTabs } from '../terminal/TerminalTabs.tsx';
import { openSession } from '../terminal/openSession.ts';

/** The pods & terminals page: the picker beside the open terminal tabs. */
export function Workspace({ loginGeneration }: { loginGeneration: number }) {
  const tabs = useTerminalTabs(openSession);
  return (
    <div className="workspace">
      <PodPicker onOpen={tabs.open} loginGeneration={loginGeneration} />
      <TerminalTabs api={tabs} />
    </div>
  );
}
