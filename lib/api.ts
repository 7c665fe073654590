// The HTTP API: one Lambda function and one route per row of the route table (contract/routes.ts),
// and the `$default` stage with JSON access logs and throttling. There is no API Gateway
// authorizer: each partner route authenticates in its handler (functions/auth/authenticator.ts),
// so that a request without a key, or one arriving while the table is unreachable, still gets
// the API's own problem document (401 with WWW-Authenticate, 503 with Retry-After).
//
// Built in the stack's scope, not in a child construct, so every logical id stays as it was: a
// replaced API would come back under a new URL, replaced log groups without their logs.
import { CfnOutput, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  ApiMapping,
  DomainName,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { Route } from '../contract/routes.ts';
import { type FunctionSettings, registryFunction } from './registry-function.ts';
import type { StageConfig } from './stage-config.ts';

export interface ApiProps {
  /** Names the API (`purchaser-registry-<stage>`). */
  readonly stage: string;
  readonly routes: readonly Route[];
  /** Settings of every function; the access log group is kept like theirs (`functions.logs`). */
  readonly functions: FunctionSettings;
  /** Steady requests per second the whole API accepts before answering 429, and requests at once above it. */
  readonly throttle: StageConfig['throttle'];
  /** A custom domain in front of the `$default` stage; none when null. */
  readonly domain: StageConfig['domain'];
}

/** A part of the stack, not a child construct: it builds in the scope it is given, so logical ids stay stable. */
export class Api {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  /** By route name. */
  readonly functions: ReadonlyMap<string, NodejsFunction>;

  constructor(scope: Construct, props: ApiProps) {
    this.httpApi = new HttpApi(scope, 'Api', {
      apiName: `purchaser-registry-${props.stage}`,
      description: 'Customer and purchaser registry',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(scope, 'ApiAccessLogs', {
      retention: props.functions.logs.retention,
      removalPolicy: props.functions.logs.removalPolicy,
    });
    this.stage = new HttpStage(scope, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rate, burstLimit: props.throttle.burst },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No `$context.path`: a path may hold an email (personal data); the route key names the
        // route by its template (`GET /v4/organisations/{trkref}/purchasers/{email}`).
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            error: '$context.error.message',
          }),
        ),
      },
    });

    if (props.domain) {
      // The certificate is made and validated outside the stack (it needs DNS the stack doesn't own);
      // point the name's DNS record at the output's regional domain name.
      const domainName = new DomainName(scope, 'ApiDomain', {
        domainName: props.domain.name,
        certificate: Certificate.fromCertificateArn(scope, 'ApiCertificate', props.domain.certificateArn),
      });
      this.stage.node.addDependency(domainName);
      new ApiMapping(scope, 'ApiDomainMapping', { api: this.httpApi, domainName, stage: this.stage });
      new CfnOutput(scope, 'ApiDomainTarget', {
        value: domainName.regionalDomainName,
        description: `Where ${props.domain.name} must point (CNAME or alias)`,
      });
    }

    const functions = new Map<string, NodejsFunction>();
    for (const route of props.routes) {
      const fn = registryFunction(scope, route, props.functions);
      functions.set(route.name, fn);
      const httpRoute = new HttpRoute(scope, `${route.name}Route`, {
        httpApi: this.httpApi,
        routeKey:
          route.path === '$default'
            ? HttpRouteKey.DEFAULT
            : HttpRouteKey.with(route.path, route.method === 'ANY' ? HttpMethod.ANY : HttpMethod[route.method]),
        integration: new HttpLambdaIntegration(`${route.name}Integration`, fn),
      });
      Validations.of(httpRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          route.auth === 'partner'
            ? "The function authenticates the partner key itself, so that every refusal is the API's own " +
              'problem document (an authorizer answers a missing key with a bare 401 and its failures with a bare 500).'
            : 'Open by design: this route reveals nothing a caller without a key may not know.',
      });
    }
    this.functions = functions;
  }
}
