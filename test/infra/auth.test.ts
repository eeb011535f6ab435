/**
 * Sign-in and CORS for the web app: Cognito managed login with authorization code + PKCE,
 * MFA and password-flow rules per stage, the explicit issuer, and the HTTP API's CORS origins.
 */
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LOCAL_ORIGINS, LOCAL_SIGN_IN_URL, loadStageConfig } from '../../lib/config';
import { corsOrigins } from '../../lib/stacks/api-stack';
import { render, resourcesOf, synthApp } from './helpers';

const SITE =
  /^https:\/\/<import:StockConsultant-(dev|prod)-Web:ExportsOutputFnGetAttSiteDistribution\w+DomainName\w+>$/;
const ISSUER = /^https:\/\/cognito-idp\.<AWS::Region>\.amazonaws\.com\/<AuthUserPool\w+>$/;

// Synthesized while collecting (as in the other infra tests): the first synth is slow.
synthApp('dev');
synthApp('prod');

function client(stage: 'dev' | 'prod') {
  const [[, found] = ['', undefined]] = resourcesOf(
    synthApp(stage).templates.api,
    'AWS::Cognito::UserPoolClient',
  );
  return found?.Properties ?? {};
}

describe('Cognito managed login', () => {
  for (const stage of ['dev', 'prod'] as const) {
    it(`${stage}: a public client for the authorization-code flow with the scopes the API needs`, () => {
      const props = client(stage);
      expect(props).toMatchObject({
        GenerateSecret: false,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'aws.cognito.signin.user.admin'],
        SupportedIdentityProviders: ['COGNITO'],
      });
    });

    it(`${stage}: a managed-login domain (newer UI) with Cognito's default branding`, () => {
      const { api } = synthApp(stage).templates;
      const [[, domain] = ['', undefined]] = resourcesOf(api, 'AWS::Cognito::UserPoolDomain');
      expect(render(domain?.Properties?.Domain)).toBe(`stock-consultant-${stage}-<AWS::AccountId>`);
      expect(domain?.Properties?.ManagedLoginVersion).toBe(2);
      api.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
        UseCognitoProvidedValues: true,
        ClientId: { Ref: Match.stringLikeRegexp('WebClient') },
      });
    });
  }

  it('prod: redirects only to the CloudFront URL', () => {
    const { CallbackURLs, LogoutURLs } = client('prod') as Record<string, unknown[]>;
    expect(CallbackURLs?.map(render)).toEqual([expect.stringMatching(/\/$/)]);
    expect(render(CallbackURLs?.[0]).replace(/\/$/, '')).toMatch(SITE);
    expect(LogoutURLs?.map(render)).toEqual(CallbackURLs?.map(render));
  });

  it('dev: also redirects to the local web app on 127.0.0.1:3000', () => {
    const { CallbackURLs, LogoutURLs } = client('dev') as Record<string, unknown[]>;
    expect(CallbackURLs?.map(render)).toEqual([
      expect.stringMatching(/cloudfront|Distribution/),
      LOCAL_SIGN_IN_URL,
    ]);
    expect(LogoutURLs?.map(render)).toEqual(CallbackURLs?.map(render));
  });

  it('prod: TOTP MFA is required of every user (so of every admin); no password flow on the public client', () => {
    const { api } = synthApp('prod').templates;
    api.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
    expect(client('prod').ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
  });

  it('dev: MFA optional, and the CLI password flow stays for quick tokens', () => {
    synthApp('dev').templates.api.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
    expect(client('dev').ExplicitAuthFlows).toContain('ALLOW_USER_PASSWORD_AUTH');
  });

  it('builds the issuer from region and pool id, for the JWT authorizer and the JWKS download', () => {
    const { api } = synthApp('prod').templates;
    const [[, authorizer] = ['', undefined]] = resourcesOf(api, 'AWS::ApiGatewayV2::Authorizer');
    const jwtConfig = authorizer?.Properties?.JwtConfiguration as { Issuer: unknown };
    expect(render(jwtConfig.Issuer)).toMatch(ISSUER);
    const [[, jwks] = ['', undefined]] = resourcesOf(api, 'Custom::CognitoJwks');
    expect(render(jwks?.Properties?.Issuer)).toBe(render(jwtConfig.Issuer));
  });
});

describe('CORS of the HTTP API', () => {
  synthApp('prod', { corsOrigins: 'https://app.example.com' });
  const cors = (stage: 'dev' | 'prod', context: Record<string, unknown> = {}) => {
    const [[, api] = ['', undefined]] = resourcesOf(
      synthApp(stage, context).templates.api,
      'AWS::ApiGatewayV2::Api',
    );
    return api?.Properties?.CorsConfiguration as Record<string, unknown[]>;
  };

  it('prod: allows exactly the CloudFront origin', () => {
    const config = cors('prod');
    expect(config.AllowOrigins?.map(render)).toEqual([expect.stringMatching(SITE)]);
    expect(config).toMatchObject({
      AllowMethods: expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE']),
      AllowHeaders: expect.arrayContaining(['authorization', 'content-type', 'idempotency-key']),
      ExposeHeaders: ['retry-after'],
      AllowCredentials: false,
    });
  });

  it('dev: the CloudFront origin plus npm start and the Vite dev server', () => {
    expect(cors('dev').AllowOrigins?.map(render)).toEqual([expect.stringMatching(SITE), ...LOCAL_ORIGINS]);
  });

  it('prod: an extra origin must be named explicitly, https and public', () => {
    const origins = cors('prod', { corsOrigins: 'https://app.example.com' }).AllowOrigins?.map(render);
    expect(origins).toEqual([expect.stringMatching(SITE), 'https://app.example.com']);
    const prod = (corsOrigins: string) => () =>
      loadStageConfig(new App({ context: { stage: 'prod', corsOrigins } }).node);
    expect(prod('http://localhost:5173')).toThrow(/not allowed in prod/);
    expect(prod('https://127.0.0.1:3000')).toThrow(/not allowed in prod/);
    expect(prod('http://app.example.com')).toThrow(/not allowed in prod/);
    expect(prod('*')).toThrow(/may not be "\*"/);
    // Nothing configured: no loopback fallback in prod.
    expect(
      loadStageConfig(new App({ context: { stage: 'prod', alarmEmail: 'oncall@example.com' } }).node)
        .corsOrigins,
    ).toEqual([]);
  });

  it('puts the site first and drops duplicates', () => {
    expect(
      corsOrigins('https://d1.cloudfront.net', ['https://d1.cloudfront.net', 'https://x.example']),
    ).toEqual(['https://d1.cloudfront.net', 'https://x.example']);
  });
});
