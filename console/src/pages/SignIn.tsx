/** Sign-in with an access key; the server answers with an HttpOnly session cookie. */
import { useState } from 'react';
import { type Session, signIn } from '../api/client.ts';
import { ErrorBanner, Notice, TextInput } from '../components/ui.tsx';

export function SignIn(props: { onSignedIn: (s: Session) => void; expired: boolean }) {
  const [accessKeyId, setKey] = useState('');
  const [secret, setSecret] = useState('');
  const [token, setToken] = useState('');
  const [region, setRegion] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <main className="signin" id="main">
      <h1>Sign in to Parapet</h1>
      {props.expired && <Notice kind="info">Your session ended. Sign in again to continue.</Notice>}
      <p className="muted">
        Use an access key of a principal (the demo keys are in <code>.parapet/credentials.json</code>). The key is checked once and exchanged for a
        session cookie; it is not stored in the browser.
      </p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            props.onSignedIn(
              await signIn({ accessKeyId: accessKeyId.trim(), secretAccessKey: secret, ...(token.trim() ? { sessionToken: token.trim() } : {}), ...(region.trim() ? { region: region.trim() } : {}) }),
            );
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <TextInput label="Access key ID" name="accessKeyId" value={accessKeyId} onChange={setKey} required autoComplete="username" />
        <TextInput label="Secret access key" name="secretAccessKey" type="password" value={secret} onChange={setSecret} required autoComplete="current-password" />
        <TextInput label="Session token (temporary credentials only)" name="sessionToken" value={token} onChange={setToken} autoComplete="off" />
        <TextInput label="Region" name="region" value={region} onChange={setRegion} placeholder="us-east-1" hint="The Region to work in; you can switch it later." />
        <ErrorBanner error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
