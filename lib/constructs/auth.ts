/**
 * Sign-in: a Cognito user pool (email, strong passwords, TOTP MFA: required in prod), the
 * `admin` group, managed login on a Cognito domain, a public app client for the web app
 * (authorization code + PKCE), and the pool's JWKS fetched at deploy time.
 *
 * Token checks happen twice: the HTTP API's JWT authorizer is the first gate, and each function
 * verifies again with aws-jwt-verify (token_use, client id, groups). Functions live in isolated
 * subnets and cannot download the JWKS, so it is handed to them in `COGNITO_JWKS`.
 */

import { fileURLToPath } from 'node:url';
import { type CfnResource, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ADMIN_GROUP } from '../../functions/platform/names';
import type { StageConfig } from '../config';
import { type Acknowledgement, acknowledge, LAMBDA_BASIC_EXECUTION } from '../nag';
import { AppFunction, type AuthBinding } from './app-function';
import { cognitoUrls, issuerUrl, managedLoginDomainPrefix } from './cognito-urls';

export interface AuthProps {
  readonly config: StageConfig;
  /**
   * The web app's URL (`https://<distribution>.cloudfront.net/`): where managed login sends the
   * user back after sign-in and sign-out. dev also accepts `config.localSignInUrls`.
   */
  readonly siteUrl: string;
}

/**
 * The scope the API's JWT authorizer requires. ID tokens never carry it; an access token from
 * managed login carries it only if the client asks for it (OAUTH_SCOPES).
 */
export const ACCESS_TOKEN_SCOPE = 'aws.cognito.signin.user.admin';
/** What the web app requests (`scope` in config.json): the client allows exactly these. */
export const OAUTH_SCOPES = ['openid', 'email', ACCESS_TOKEN_SCOPE] as const;
export { ADMIN_GROUP };

/** How long an access (and ID) token lives: the most a revoked session's token can still be used. */
const SESSION_TOKEN_VALIDITY = Duration.minutes(15);

const JWKS_HANDLER = fileURLToPath(new URL('./jwks-handler.ts', import.meta.url));

export class Auth extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly client: cognito.UserPoolClient;
  public readonly domain: cognito.UserPoolDomain;
  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`: the tokens' `iss`, the OIDC authority. */
  public readonly issuer: string;
  /** `https://<prefix>.auth.<region>.amazoncognito.com`: managed login and the OAuth endpoints. */
  public readonly managedLoginUrl: string;
  /** Redirect URLs after sign-in (= after sign-out): the site, plus loopback in dev. */
  public readonly redirectUrls: readonly string[];
  public readonly binding: AuthBinding;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    const { config } = props;
    const prod = config.stage === 'prod';

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${config.prefix}-users`,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      selfSignUpEnabled: config.selfSignUp,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Cognito's MFA setting is pool-wide: prod requires TOTP of everyone (so of every `admin`,
      // who records payments); dev offers it. Set it when the pool is created: CloudFormation
      // may not switch an existing pool from OPTIONAL to REQUIRED (docs/deploy.md).
      mfa: prod ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: config.retainData,
      removalPolicy: config.removalPolicy,
    });

    this.userPool.addGroup('AdminGroup', {
      groupName: ADMIN_GROUP,
      description: 'May read global usage (GET /api/usage?scope=global)',
    });

    // Managed login (the newer UI) on a Cognito-owned domain; its style is Cognito's default.
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: managedLoginDomainPrefix(config) },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    this.managedLoginUrl = cognitoUrls(this, config).managedLoginOrigin;
    this.redirectUrls = [props.siteUrl, ...config.localSignInUrls];

    // A public client (no secret) for the web app: authorization code + PKCE through managed
    // login. SRP stays for SDK sign-in; USER_PASSWORD_AUTH (the CLI's password flow, which
    // sends the password itself to Cognito) only in dev.
    this.client = this.userPool.addClient('WebClient', {
      userPoolClientName: `${config.prefix}-web`,
      generateSecret: false,
      authFlows: { userSrp: true, userPassword: !prod },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.COGNITO_ADMIN],
        callbackUrls: [...this.redirectUrls],
        logoutUrls: [...this.redirectUrls],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      // Sessions end: "Sign out" revokes the refresh token at /oauth2/revoke, but an API
      // verifying offline (the JWT authorizer, aws-jwt-verify) accepts an access token already
      // issued until its `exp`. Short access tokens bound that window to 15 minutes (Cognito
      // allows 5 minutes to 1 day); the web app renews them in the background with the refresh
      // token. Every stage alike, so dev shows the renewal that prod relies on.
      enableTokenRevocation: true,
      accessTokenValidity: SESSION_TOKEN_VALIDITY,
      idTokenValidity: SESSION_TOKEN_VALIDITY,
      refreshTokenValidity: Duration.days(30),
    });
    const branding = new cognito.CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    branding.node.addDependency(this.domain);

    // Built explicitly from region and pool id (the exact `iss` API Gateway and aws-jwt-verify
    // compare), not taken from CloudFormation's ProviderURL attribute.
    this.issuer = issuerUrl(this, this.userPool.userPoolId);

    const fetcher = new AppFunction(this, 'JwksFetcher', {
      entry: JWKS_HANDLER,
      description: 'Deploy time: copies the user pool JWKS into function configuration',
      serviceName: 'jwks-fetcher',
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      logRemovalPolicy: config.removalPolicy,
      timeout: Duration.seconds(30),
    });
    const provider = new cr.Provider(this, 'JwksProvider', {
      onEventHandler: fetcher,
    });
    const jwks = new CustomResource(this, 'Jwks', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::CognitoJwks',
      properties: { Issuer: this.issuer },
    });

    this.binding = {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      jwks: jwks.getAttString('Jwks'),
    };

    const poolFindings: Acknowledgement[] = [
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan (threat protection) is billed per MAU; Essentials is enough until a public launch.',
      },
    ];
    if (!prod) {
      poolFindings.push({
        id: 'AwsSolutions-COG2',
        reason: 'dev offers TOTP MFA (optional) so test users sign in quickly; prod requires it.',
      });
    }
    acknowledge(this.userPool, poolFindings);
    acknowledge(provider, [
      { id: LAMBDA_BASIC_EXECUTION, reason: 'CDK Provider framework function: writes its own logs.' },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fetcher.node.defaultChild as CfnResource)}.Arn>:*]`,
        reason: 'CDK Provider framework may invoke the JWKS fetcher and its versions (`:*`), nothing else.',
      },
    ]);
  }
}
