// A stand-in for AWS Secrets Manager, for the tests and the benchmark (there is no local engine): an
// HTTP server speaking the service's JSON protocol (POST /, `X-Amz-Target:
// secretsmanager.GetSecretValue`, awsJson1_1), so the real SDK client talks to it through the
// standard AWS_ENDPOINT_URL_SECRETS_MANAGER. It keeps versions and staging labels as the service
// does: putting a value as AWSPENDING moves that label to it, and promoting it moves AWSCURRENT to
// it and AWSPREVIOUS to the version that had AWSCURRENT (AWSPENDING stays on it until removed).
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';

export interface FakeSecretsManager {
  /** Where to point AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  readonly endpoint: string;
  /** A new secret whose AWSCURRENT version holds `value`; its ARN. */
  create(name: string, value: string): string;
  /** Puts `value` as a new version labelled AWSPENDING. */
  putPending(arn: string, value: string): void;
  /** Moves AWSCURRENT to the AWSPENDING version (the version it leaves becomes AWSPREVIOUS). */
  promote(arn: string): void;
  /** Takes AWSPENDING off the version that has it. */
  removePending(arn: string): void;
  /** While true, every call is answered 500 (an outage). */
  failing: boolean;
  /** The GetSecretValue calls answered so far, in order. */
  readonly calls: readonly { readonly SecretId: string; readonly VersionStage?: string }[];
  close(): Promise<void>;
}

interface Version {
  readonly id: string;
  readonly value: string;
  readonly created: number;
  readonly stages: Set<string>;
}

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, { name: string; versions: Version[] }>();
  const calls: { SecretId: string; VersionStage?: string }[] = [];
  const secretOf = (arn: string) => {
    const secret = secrets.get(arn);
    if (!secret) throw new Error(`no secret ${arn}`);
    return secret;
  };
  const labelled = (arn: string, stage: string) => secretOf(arn).versions.find((v) => v.stages.has(stage));
  /** A new version of `arn` with `stage`, taken off whichever version had it. */
  const put = (arn: string, value: string, stage: string) => {
    labelled(arn, stage)?.stages.delete(stage);
    secretOf(arn).versions.push({ id: randomUUID(), value, created: Date.now() / 1000, stages: new Set([stage]) });
  };

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => {
      if (fake.failing) return answer(res, 500, { __type: 'InternalServiceError', message: 'fake outage' });
      if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        return answer(res, 400, { __type: 'UnknownOperationException', message: 'only GetSecretValue is faked' });
      }
      const { SecretId, VersionStage, VersionId } = JSON.parse(text) as Record<string, string | undefined>;
      calls.push({ SecretId: SecretId ?? '', ...(VersionStage ? { VersionStage } : {}) });
      const secret = secrets.get(SecretId ?? '') ?? [...secrets.values()].find((s) => s.name === SecretId);
      if (!secret) {
        return answer(res, 400, {
          __type: 'ResourceNotFoundException',
          Message: "Secrets Manager can't find the specified secret.",
        });
      }
      const stage = VersionId ? undefined : (VersionStage ?? 'AWSCURRENT');
      const version = secret.versions.find((v) => (stage ? v.stages.has(stage) : v.id === VersionId));
      if (!version) {
        return answer(res, 400, {
          __type: 'ResourceNotFoundException',
          Message: `Secrets Manager can't find the specified secret value for ${stage ? `staging label: ${stage}` : `VersionId: ${VersionId}`}`,
        });
      }
      const arn = [...secrets].find(([, s]) => s === secret)![0];
      answer(res, 200, {
        ARN: arn,
        Name: secret.name,
        SecretString: version.value,
        VersionId: version.id,
        VersionStages: [...version.stages],
        CreatedDate: version.created,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  const fake: FakeSecretsManager = {
    endpoint: `http://127.0.0.1:${port}`,
    failing: false,
    calls,
    create(name, value) {
      const arn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-${randomUUID().slice(0, 6)}`;
      secrets.set(arn, { name, versions: [] });
      put(arn, value, 'AWSCURRENT');
      return arn;
    },
    putPending: (arn, value) => put(arn, value, 'AWSPENDING'),
    promote(arn) {
      const pending = labelled(arn, 'AWSPENDING');
      const current = labelled(arn, 'AWSCURRENT');
      if (!pending || !current) throw new Error(`${arn} has nothing to promote`);
      labelled(arn, 'AWSPREVIOUS')?.stages.delete('AWSPREVIOUS');
      current.stages.delete('AWSCURRENT');
      current.stages.add('AWSPREVIOUS');
      pending.stages.add('AWSCURRENT');
    },
    removePending: (arn) => labelled(arn, 'AWSPENDING')?.stages.delete('AWSPENDING'),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return fake;
}
