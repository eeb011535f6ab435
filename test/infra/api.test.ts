import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { AUTH_FAILURES_METRIC, AUTH_METRICS_SERVICE } from '../../functions/platform/names';
import { ROUTES } from '../../functions/routes';
import { loadStageConfig } from '../../lib/config';
import { AlarmTopic } from '../../lib/constructs/alarm-topic';
import { ACCESS_TOKEN_SCOPE } from '../../lib/constructs/auth';
import { ApiStack, parseRouteKey } from '../../lib/stacks/api-stack';
import { THRESHOLDS } from '../../lib/thresholds';
import { alarmNamed, resourcesOf, synthApp } from './helpers';

describe('ApiStack', () => {
  const { templates } = synthApp('dev');
  const api = templates.api;
  const routes = resourcesOf(api, 'AWS::ApiGatewayV2::Route');

  it('has one route per row of functions/routes.ts and one function per handler module', () => {
    expect(routes.map(([, r]) => r.Properties?.RouteKey).sort()).toEqual(
      ROUTES.map((r) => r.routeKey).sort(),
    );
    for (const route of ROUTES) {
      api.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(`(^|, )${route.routeKey.replace(/[{}]/g, '\\$&')}(,|$)`),
        MemorySize: route.memoryMb,
        Timeout: route.timeoutSeconds,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
      });
    }
  });

  it("answers HEAD /health in AWS too (uptime checkers), with the GET route's function", () => {
    const byKey = new Map(routes.map(([, r]) => [String(r.Properties?.RouteKey), r.Properties]));
    expect(byKey.get('HEAD /health')).toMatchObject({ AuthorizationType: 'NONE' });
    expect(byKey.get('HEAD /health')?.Target).toEqual(byKey.get('GET /health')?.Target);
    api.hasResourceProperties('AWS::Lambda::Function', { Description: 'GET /health, HEAD /health' });
  });

  for (const stage of ['dev', 'prod'] as const) {
    it(`${stage}: throttles /health and the JWT-only routes below the stage default`, () => {
      const t = synthApp(stage).templates.api;
      const [[, apiStage] = ['', undefined]] = resourcesOf(t, 'AWS::ApiGatewayV2::Stage');
      const defaults = apiStage?.Properties?.DefaultRouteSettings as Record<string, number>;
      const perRoute = apiStage?.Properties?.RouteSettings as Record<string, Record<string, number>>;
      const lower = ROUTES.filter((r) => r.auth === 'public' || r.auth === 'jwt').map((r) => r.routeKey);
      expect(lower).toEqual(expect.arrayContaining(['GET /health', 'HEAD /health', 'POST /api/keys']));
      // Exactly those routes have their own limits, each below the stage's.
      expect(Object.keys(perRoute).sort()).toEqual([...lower].sort());
      for (const key of lower) {
        expect(perRoute[key]?.ThrottlingRateLimit, key).toBeLessThan(defaults.ThrottlingRateLimit ?? 0);
        expect(perRoute[key]?.ThrottlingBurstLimit, key).toBeLessThan(defaults.ThrottlingBurstLimit ?? 0);
      }
      // The stage is created after the routes it names (CloudFormation refuses unknown keys).
      const routeIds = resourcesOf(t, 'AWS::ApiGatewayV2::Route')
        .filter(([, r]) => lower.includes(String(r.Properties?.RouteKey)))
        .map(([id]) => id);
      expect(apiStage?.DependsOn).toEqual(expect.arrayContaining(routeIds));
    });
  }

  it('puts the JWT authorizer, requiring the access-token scope, on exactly the routes that refuse API keys', () => {
    const byKey = new Map(routes.map(([, r]) => [String(r.Properties?.RouteKey), r.Properties]));
    const jwtOnly = ROUTES.filter((r) => r.auth === 'jwt').map((r) => r.routeKey);
    expect(jwtOnly).toEqual(
      expect.arrayContaining([
        'POST /api/keys',
        'GET /api/keys',
        'DELETE /api/keys/{id}',
        'PUT /api/settings/rules',
      ]),
    );
    for (const routeKey of jwtOnly) {
      expect(byKey.get(routeKey), routeKey).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: expect.stringMatching(/CognitoAuthorizer/) },
        AuthorizationScopes: [ACCESS_TOKEN_SCOPE],
      });
    }
    // Every admin route is JWT-only, whatever is added later.
    for (const [routeKey, props] of byKey) {
      if (routeKey.includes(' /api/admin/')) expect(props?.AuthorizationType, routeKey).toBe('JWT');
    }
  });

  it('leaves the data routes to their functions (token or API key), with no gateway authorizer', () => {
    const byKey = new Map(routes.map(([, r]) => [String(r.Properties?.RouteKey), r.Properties]));
    const dataRoutes = ROUTES.filter((r) => r.auth === 'jwt-or-key').map((r) => r.routeKey);
    expect(dataRoutes).toEqual(
      expect.arrayContaining(['POST /api/analyze', 'GET /api/usage', 'GET /api/market', 'GET /api/analyses']),
    );
    for (const routeKey of dataRoutes) {
      expect(byKey.get(routeKey)?.AuthorizationType, routeKey).toBe('NONE');
      expect(byKey.get(routeKey)?.AuthorizerId, routeKey).toBeUndefined();
    }
  });

  it('alarms on authentication failures counted by every API function under one dimension', () => {
    expect(alarmNamed(api, 'AuthenticationFailures')).toMatchObject({
      MetricName: AUTH_FAILURES_METRIC,
      Namespace: 'StockConsultant',
      Dimensions: [
        { Name: 'service', Value: AUTH_METRICS_SERVICE },
        { Name: 'stage', Value: 'dev' },
      ],
      Statistic: 'Sum',
      Threshold: THRESHOLDS.authFailuresPer5Min,
    });
  });

  it('leaves GET /health public', () => {
    const [[, health] = ['', undefined]] = routes.filter(([, r]) => r.Properties?.RouteKey === 'GET /health');
    expect(health?.Properties?.AuthorizationType).toBe('NONE');
    expect(health?.Properties?.AuthorizerId).toBeUndefined();
  });

  it('trusts tokens from the user pool for the web client only', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: Match.stringLikeRegexp('WebClient') }],
        Issuer: Match.anyValue(),
      },
    });
  });

  it('throttles the default stage and writes access logs', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('creates an email sign-in user pool with a strong password policy and an admin group', () => {
    api.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
    });
    api.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'admin' });
  });

  it('hands the user pool, client and deploy-time JWKS to every route function', () => {
    api.hasResourceProperties('Custom::CognitoJwks', { Issuer: Match.anyValue() });
    const fns = resourcesOf(api, 'AWS::Lambda::Function').filter(([, f]) =>
      ROUTES.some((r) => String(f.Properties?.Description).split(', ').includes(r.routeKey)),
    );
    expect(fns).toHaveLength(new Set(ROUTES.map((r) => r.entry)).size);
    for (const [, f] of fns) {
      const vars = (f.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables;
      expect(vars).toMatchObject({
        COGNITO_USER_POOL_ID: { Ref: expect.stringMatching(/UserPool/) },
        COGNITO_CLIENT_ID: { Ref: expect.stringMatching(/WebClient/) },
        COGNITO_JWKS: { 'Fn::GetAtt': [expect.stringMatching(/Jwks/), 'Jwks'] },
        DB_PREPARE: 'false',
      });
    }
  });

  it('parses route keys and rejects malformed ones', () => {
    expect(parseRouteKey('POST /api/analyze')).toEqual({ method: 'POST', path: '/api/analyze' });
    expect(() => parseRouteKey('FETCH /x')).toThrow(/Invalid route key/);
    expect(() => parseRouteKey('GET api')).toThrow(/Invalid route key/);
  });

  it('allows the methods of every route in CORS', () => {
    const withCors = synthApp('dev', { corsOrigins: 'https://app.example' }).templates.api;
    withCors.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowMethods: Match.arrayWith(['GET', 'POST', 'PUT', 'DELETE']),
      }),
    });
  });

  it.each([
    ['an /api/* route without auth', 'GET /api/market', 'public', /needs a credential/],
    ['API keys on key management', 'POST /api/keys', 'jwt-or-key', /API keys are refused/],
    ['API keys on settings', 'PUT /api/settings/rules', 'jwt-or-key', /API keys are refused/],
    ['API keys on an admin route', 'GET /api/admin/reconciliation', 'jwt-or-key', /API keys are refused/],
  ] as const)('refuses %s', (_name, routeKey, auth, message) => {
    // Prepare: a minimal app with one unprotected /api route.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const deps = new Stack(app, 'Deps');
    const vpc = new ec2.Vpc(deps, 'Vpc');
    const securityGroup = new ec2.SecurityGroup(deps, 'Sg', { vpc });
    const secret = new secretsmanager.Secret(deps, 'Secret');
    new AlarmTopic(deps, 'Alarms', { config: loadStageConfig(app.node) });
    const build = () =>
      new ApiStack(app, 'Api', {
        config: loadStageConfig(app.node),
        network: { vpc, securityGroup },
        database: {
          secret,
          host: 'proxy',
          hostParameterName: '/test/host',
          port: 5432,
          databaseName: 'stocks',
        },
        schema: secret,
        site: { url: 'https://d111.cloudfront.net/', origin: 'https://d111.cloudfront.net' },
        routes: [{ routeKey, entry: 'market', auth, memoryMb: 256, timeoutSeconds: 5 }],
      });
    // Act / Assess
    expect(build).toThrow(message);
  });
});
