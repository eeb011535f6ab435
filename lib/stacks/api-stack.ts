/**
 * The HTTP API: Cognito sign-in, one Lambda per row of `functions/routes.ts`, CORS for the web
 * app, throttling and access logs. Each route's `auth` decides its gate (docs/deploy.md
 * "Authentication"): the JWT authorizer on `jwt` routes (keys, settings, admin); none on
 * `jwt-or-key` routes (the data routes), whose functions verify the access token offline or
 * look the API key up themselves.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AUTH_FAILURES_METRIC, AUTH_METRICS_SERVICE } from '../../functions/platform/names';
import { ROUTES, type RouteDef, routeProblem } from '../../functions/routes';
import type { StageConfig } from '../config';
import { StackAlarms } from '../constructs/alarms';
import { AppFunction, type DatabaseBinding, type FunctionNetwork } from '../constructs/app-function';
import { ACCESS_TOKEN_SCOPE, Auth } from '../constructs/auth';
import { serviceMetric } from '../metrics';
import { acknowledge } from '../nag';
import { functionEntry } from '../paths';
import { EGRESS_SUBNETS } from '../subnets';
import { THRESHOLDS } from '../thresholds';

export interface ApiStackProps extends StackProps {
  readonly config: StageConfig;
  readonly network: FunctionNetwork;
  readonly database: DatabaseBinding;
  /** Handlers must never run against an older schema: deploy them after the migrations. */
  readonly schema: Construct;
  /** The web app (WebStack): its URL is Cognito's redirect URL and its origin CORS's. */
  readonly site: { readonly url: string; readonly origin: string };
  /** @default ROUTES from functions/routes.ts */
  readonly routes?: readonly RouteDef[];
  /**
   * Flexprice for the routes that call it (FLEXPRICE_ROUTE_ENTRIES). Given only when Flexprice
   * egress is on: without a way out they answer "not configured" (docs/deploy.md "The
   * reconciliation route"). @default none
   */
  readonly flexprice?: FlexpriceAccess;
}

/** What a route function needs to call Flexprice; the billing jobs get the same (BillingStack). */
export interface FlexpriceAccess {
  /**
   * The API key secret (BillingStack.flexpriceKey). Its ARN is exported from Billing in every
   * configuration (/health has it too), so importing it never breaks a stage switch.
   */
  readonly key: secretsmanager.ISecret;
  /** FLEXPRICE_API_URL, including `/v1`. */
  readonly apiUrl: string;
}

/**
 * Route functions that call Flexprice themselves: only these read its key and leave the VPC.
 * `POST /api/admin/reconciliation` runs a reconciliation on an admin's request (SPEC §10, §13).
 */
export const FLEXPRICE_ROUTE_ENTRIES: readonly string[] = ['reconciliation-post'];

/** `POST /api/analyze` → method and path; rejects anything API Gateway would not accept. */
export function parseRouteKey(routeKey: string): { method: apigw.HttpMethod; path: string } {
  const match = /^([A-Z]+) (\/\S*)$/.exec(routeKey);
  const method = match?.[1];
  const path = match?.[2];
  const methods: readonly string[] = Object.values(apigw.HttpMethod);
  if (!method || !path || !methods.includes(method)) throw new Error(`Invalid route key: ${routeKey}`);
  return { method: method as apigw.HttpMethod, path };
}

/** The site's origin first, then the configured extras, without duplicates; `*` stands alone. */
export function corsOrigins(siteOrigin: string, extra: readonly string[]): string[] {
  if (extra.includes('*')) return ['*'];
  return [siteOrigin, ...extra.filter((o) => o !== siteOrigin)];
}

function pascal(name: string): string {
  return name.replace(/(^|[^A-Za-z0-9])([A-Za-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());
}

/** Authentication failures of every API function, under one `service` (functions/platform/api.ts). */
const authMetric = (config: StageConfig, name: string) => serviceMetric(config, AUTH_METRICS_SERVICE, name);

export class ApiStack extends Stack {
  public readonly auth: Auth;
  public readonly httpApi: apigw.HttpApi;
  public readonly stage: apigw.HttpStage;
  /** One function per route, keyed by route key. */
  public readonly routeFunctions: ReadonlyMap<string, AppFunction>;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;
    const routes = props.routes ?? ROUTES;

    this.auth = new Auth(this, 'Auth', { config, siteUrl: props.site.url });

    // CORS is answered by API Gateway itself (preflight and response headers) for every route,
    // whichever authenticates it (JWT authorizer or the function). prod: the site's origin and
    // only what `-c corsOrigins` adds (https, public hosts; lib/config.ts); dev adds the local
    // web servers. No cookies are involved (bearer tokens), so no credentials.
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      apiName: `${config.prefix}-api`,
      description: 'Stock Consultant HTTP API',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: corsOrigins(props.site.origin, config.corsOrigins),
        allowMethods: [
          apigw.CorsHttpMethod.GET,
          apigw.CorsHttpMethod.POST,
          apigw.CorsHttpMethod.PUT,
          apigw.CorsHttpMethod.DELETE,
          apigw.CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        exposeHeaders: ['retry-after'],
        allowCredentials: false,
        maxAge: Duration.hours(1),
      },
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.api.rateLimit, burstLimit: config.api.burstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            responseLength: '$context.responseLength',
            sub: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    StackAlarms.of(this).add(
      'Api5xx',
      this.httpApi.metricServerError({ statistic: 'Sum', period: Duration.minutes(5) }),
      {
        alarmDescription: 'HTTP API server errors',
        threshold: THRESHOLDS.api5xxPer5Min,
      },
    );
    StackAlarms.of(this).add('AuthenticationFailures', authMetric(config, AUTH_FAILURES_METRIC), {
      alarmDescription:
        'Many requests with a missing, expired, unknown or revoked credential (a stuck client, or key guessing)',
      threshold: THRESHOLDS.authFailuresPer5Min,
    });

    // First gate. Cognito access tokens carry `client_id` (no `aud`), which API Gateway checks
    // against the audience list. The authorizer cannot tell access from ID tokens by itself;
    // requiring the scope every access token has (and ID tokens lack) makes it reject ID tokens.
    const authorizer = new HttpJwtAuthorizer('CognitoAuthorizer', this.auth.issuer, {
      jwtAudience: [this.auth.client.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });

    const functions = new Map<string, AppFunction>();
    // One function (and one integration) per handler module: `GET /health` and `HEAD /health`
    // are two routes of one function.
    const integrations = new Map<string, HttpLambdaIntegration>();
    const routeLimits: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of routes) {
      const { method, path } = parseRouteKey(route.routeKey);
      const unsafe = routeProblem(route);
      if (unsafe) throw new Error(unsafe);
      const name = pascal(route.entry);
      const first = routes.find((r) => r.entry === route.entry);
      // The function authenticates by its entry (functions/platform/api.ts authOf).
      if (first && first.auth !== route.auth) {
        throw new Error(`${route.routeKey}: every route of "${route.entry}" needs the same auth`);
      }
      const shared = functions.get(first?.routeKey ?? '');
      const flexprice =
        !shared && props.flexprice && FLEXPRICE_ROUTE_ENTRIES.includes(route.entry)
          ? this.flexpriceAccess(name, props.network, props.flexprice)
          : undefined;
      const fn =
        shared ??
        new AppFunction(this, `${name}Function`, {
          entry: functionEntry(route.entry),
          description: routes
            .filter((r) => r.entry === route.entry)
            .map((r) => r.routeKey)
            .join(', '),
          serviceName: route.entry,
          logLevel: config.logLevel,
          logRetention: config.logRetention,
          logRemovalPolicy: config.removalPolicy,
          memorySize: route.memoryMb,
          timeout: Duration.seconds(route.timeoutSeconds),
          network: props.network,
          ...flexprice,
        })
          .bindDatabase(props.database)
          .bindAuth(this.auth.binding);
      if (flexprice) props.flexprice?.key.grantRead(fn);
      fn.node.addDependency(props.schema);
      functions.set(route.routeKey, fn);
      let integration = integrations.get(route.entry);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${name}Integration`, fn);
        integrations.set(route.entry, integration);
      }

      const created = this.httpApi.addRoutes({
        path,
        methods: [method],
        integration,
        ...(route.auth === 'jwt' ? { authorizer, authorizationScopes: [ACCESS_TOKEN_SCOPE] } : {}),
      });
      const limits = config.api.routeLimits[route.auth];
      if (limits) {
        routeLimits[route.routeKey] = {
          ThrottlingRateLimit: limits.rateLimit,
          ThrottlingBurstLimit: limits.burstLimit,
        };
        // A stage's route settings may only name routes that exist.
        for (const r of created) this.stage.node.addDependency(r);
      }
      if (route.auth === 'public') {
        for (const r of created) {
          acknowledge(r, [
            { id: 'AwsSolutions-APIG4', reason: `${route.routeKey} is public by design (SPEC §3).` },
          ]);
        }
      }
      if (route.auth === 'jwt-or-key') {
        const reason =
          `${route.routeKey} takes a Cognito access token or an API key (SPEC §9); its function ` +
          'authenticates both (aws-jwt-verify offline, key by hash) so it can answer 503, not 401, ' +
          'when the key store is down and revoke keys at once (docs/deploy.md "Authentication").';
        for (const r of created) {
          acknowledge(r, [
            { id: 'AwsSolutions-APIG4', reason },
            { id: 'AwsSolutions-COG4', reason },
          ]);
        }
      }
    }
    this.routeFunctions = functions;
    // Below the stage default (config.ts `api.routeLimits`): /health, which anyone may call,
    // and the JWT-only routes, which people use by hand. HttpStage has no per-route setting.
    (this.stage.node.defaultChild as apigw.CfnStage).routeSettings = routeLimits;

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.auth.client.userPoolClientId });
    new CfnOutput(this, 'Issuer', { value: this.auth.issuer, description: 'OIDC issuer (tokens `iss`)' });
    new CfnOutput(this, 'ManagedLoginUrl', { value: this.auth.managedLoginUrl });
  }

  /**
   * As the billing jobs reach Flexprice: the egress subnets (exported by Data in every
   * configuration), HTTPS out only, the URL and the key's ARN. The security group is this
   * function's own, in this stack: sharing the Billing stack's would add an export that exists
   * only while egress is on, and switching egress off would then fail (docs/deploy.md).
   */
  private flexpriceAccess(name: string, network: FunctionNetwork, access: FlexpriceAccess) {
    const httpsEgress = new ec2.SecurityGroup(this, `${name}HttpsEgress`, {
      vpc: network.vpc,
      description: `${name}: HTTPS to the Flexprice API (through the NAT gateway)`,
      allowAllOutbound: false,
    });
    httpsEgress.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to Flexprice');
    return {
      subnets: EGRESS_SUBNETS,
      extraSecurityGroups: [httpsEgress],
      environment: {
        FLEXPRICE_API_URL: access.apiUrl,
        FLEXPRICE_API_KEY_SECRET_ARN: access.key.secretArn,
      },
    };
  }
}
