import * as vscode from 'vscode';
import type { UnknownHostKeyInfo } from '../../core/remote/sshConnection';
import type { WatchPrompts } from './watchController';

const secretKey = (file: string): string => `leakhunt.sshPassphrase:${file}`;

/**
 * Asks the user like Remote-SSH does: a modal with the fingerprint for an unknown host key, password input boxes for
 * secrets. Passphrases are kept only in SecretStorage; a wrong stored one is dropped and asked again.
 */
export function watchPrompts(secrets: vscode.SecretStorage): WatchPrompts {
  const ask = (prompt: string): Thenable<string | undefined> =>
    vscode.window.showInputBox({ prompt, password: true, ignoreFocusOut: true });
  return {
    auth: {
      passphrase: async (file, attempt) => {
        if (attempt === 1) {
          const stored = await secrets.get(secretKey(file));
          if (stored !== undefined) return stored;
        } else {
          await secrets.delete(secretKey(file));
        }
        const p = await ask(`Passphrase for SSH key ${file}`);
        if (p !== undefined) await secrets.store(secretKey(file), p);
        return p;
      },
      password: async (user, host) => ask(`Password for ${user}@${host}`),
      keyboardInteractive: async (prompts, info) => {
        const answers: string[] = [];
        for (const p of prompts) {
          const a = await vscode.window.showInputBox({
            prompt: `${info.user}@${info.host}: ${p.prompt}`,
            password: !p.echo,
            ignoreFocusOut: true,
          });
          if (a === undefined) return undefined;
          answers.push(a);
        }
        return answers;
      },
    },
    unknownHostKey: async (info: UnknownHostKeyInfo) => {
      const accept = 'Accept and Connect';
      const other =
        info.otherTypesKnown.length > 0 ? ` Keys of other types (${info.otherTypesKnown.join(', ')}) are known.` : '';
      const choice = await vscode.window.showWarningMessage(
        `"${info.hostId}" has an unknown host key.`,
        {
          modal: true,
          detail:
            `${info.keyType} key fingerprint is ${info.fingerprint}.${other}\n` +
            `Accepting records it in ${info.knownHostsFile}. Are you sure you want to continue?`,
        },
        accept,
      );
      return choice === accept;
    },
  };
}
