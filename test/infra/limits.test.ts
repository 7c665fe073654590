// The time and retry limits of the synthesised stack, pinned: a change to any of them is a decision,
// not an accident. Bundling is skipped, as in stack.test.ts.
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { routes } from '../../contract/routes.ts';
import { BUDGET_MS } from '../../functions/runtime/budget.ts';
import { testStack } from '../support/stack.ts';

/** What a request may spend before it answers 503 (README "Time budget"). */
const BUDGET_SECONDS = BUDGET_MS / 1_000;
/** API Gateway HTTP APIs give up on an integration after 30 s and answer a bare 503 of their own. */
const API_GATEWAY_INTEGRATION_LIMIT_SECONDS = 30;

const { stack } = testStack('dev', {}, 'Limits-dev');
const template = Template.fromStack(stack);
/** The template's resources by logical id, properties as CloudFormation has them. */
// biome-ignore lint/suspicious/noExplicitAny: template JSON, walked by the assertions below
const resources: Record<string, { Type: string; Properties: Record<string, any> }> = template.toJSON().Resources;

type Construct = { node: { defaultChild?: unknown } };
const logicalId = (construct: Construct) => stack.getLogicalId(construct.node.defaultChild as never);
const propertiesOf = (construct: Construct) => {
  const resource = resources[logicalId(construct)];
  if (!resource) throw new Error(`no resource for ${logicalId(construct)}`);
  return resource.Properties;
};
/** The event source mapping that feeds `fn`: exactly one. */
const mappingOf = (fn: Construct) => {
  const mappings = Object.values(resources)
    .filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping')
    .map((r) => r.Properties)
    .filter((p) => JSON.stringify(p.FunctionName) === JSON.stringify({ Ref: logicalId(fn) }));
  expect(mappings).toHaveLength(1);
  return mappings[0];
};

describe('HTTP route functions', () => {
  it.each(routes.map((route) => [route.name]))(
    '%s times out after 10 s: above the request budget, below the API Gateway integration limit',
    (name) => {
      const fn = stack.functions.get(name);
      expect(fn, name).toBeDefined();
      const timeout = propertiesOf(fn!).Timeout;
      expect(timeout).toBe(10);
      expect(timeout).toBeGreaterThan(BUDGET_SECONDS);
      expect(timeout).toBeLessThan(API_GATEWAY_INTEGRATION_LIMIT_SECONDS);
    },
  );

  it('every function behind the API is one of those routes', () => {
    const integrated = Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Integration')
      .map((r) => JSON.stringify(r.Properties.IntegrationUri));
    expect(integrated).toHaveLength(routes.length);
    const routeFunctions = routes.map((route) => logicalId(stack.functions.get(route.name)!));
    for (const uri of integrated)
      expect(
        routeFunctions.some((id) => uri.includes(`"${id}"`)),
        uri,
      ).toBe(true);
  });
});

describe('ingest', () => {
  it('takes SQS batches of 10 messages', () => {
    expect(mappingOf(stack.ingestFunction)).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.ingestQueue), 'Arn'] },
      BatchSize: 10,
    });
  });

  it('hides a message for at least six times the function timeout, as Lambda recommends for SQS sources', () => {
    const timeout = propertiesOf(stack.ingestFunction).Timeout;
    const visibility = propertiesOf(stack.ingestQueue).VisibilityTimeout;
    expect(typeof timeout).toBe('number');
    expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
    // And within what SQS allows (12 hours).
    expect(visibility).toBeLessThanOrEqual(12 * 60 * 60);
  });

  it('moves a message to the dead-letter queue after 5 receives', () => {
    expect(propertiesOf(stack.ingestQueue).RedrivePolicy.maxReceiveCount).toBe(5);
  });
});

describe('publisher', () => {
  it('reads the stream in batches of 100, retrying a failing batch 10 times before the failure queue', () => {
    expect(mappingOf(stack.publisherFunction)).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.table), 'StreamArn'] },
      BatchSize: 100,
      MaximumRetryAttempts: 10,
      DestinationConfig: { OnFailure: { Destination: expect.anything() } },
    });
  });
});
