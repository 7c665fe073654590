// Logs, metrics and traces as the stack configures them: every function (the routes and both event
// consumers) traced by X-Ray, Lambda's own START/REPORT lines kept, one log-level switch (the
// application log level, no LOG_LEVEL variable), and the metrics' service dimension set.
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ingestRow, publisherRow } from '../../contract/events.ts';
import { routes } from '../../contract/routes.ts';
import { synth } from '../support/stack.ts';

const { stack, template } = synth();
const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
const rows = [...routes, ingestRow, publisherRow];

describe('observability of every function', () => {
  it('covers each route and both event consumers', () => {
    expect(functions).toHaveLength(rows.length);
  });

  it('is traced by X-Ray; its role may write traces, and nothing else of its role reaches "*"', () => {
    template.allResourcesProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    for (const [id, fn] of functions) {
      const role = fn.Properties.Role['Fn::GetAtt'][0] as string;
      const statements = policies
        .filter((policy) => policy.Properties.Roles.some((r: { Ref?: string }) => r.Ref === role))
        .flatMap(
          (policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
        );
      // The role's acknowledged wildcard (lib/registry-function.ts) is exactly X-Ray's grant.
      expect(
        statements.filter((s) => s.Resource === '*').map((s) => [s.Action].flat().sort()),
        id,
      ).toEqual([['xray:PutTelemetryRecords', 'xray:PutTraceSegments']]);
    }
  });

  it("logs JSON, keeps Lambda's own INFO lines (START, REPORT, init) and sets the application level", () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      LoggingConfig: {
        LogFormat: 'JSON',
        SystemLogLevel: 'INFO',
        ApplicationLogLevel: 'INFO',
        LogGroup: Match.anyValue(),
      },
    });
  });

  it('has one log-level switch: no LOG_LEVEL variable beside the application log level', () => {
    for (const [id, fn] of functions) {
      expect(Object.keys(fn.Properties.Environment.Variables), id).not.toContain('LOG_LEVEL');
    }
  });

  it("names the stack as the metrics' service, so stages never add up", () => {
    for (const [id, fn] of functions) {
      expect(stack.resolve(fn.Properties.Environment.Variables.SERVICE_NAME), id).toBe(stack.stackName);
    }
  });
});
