/**
 * Sign-in: a Cognito user pool (email, strong passwords, optional TOTP), the `admin` group,
 * an app client for a browser front end, and the pool's JWKS fetched at deploy time.
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
import type { StageConfig } from '../config';
import { acknowledge, LAMBDA_BASIC_EXECUTION } from '../nag';
import { AppFunction, type AuthBinding } from './app-function';

export interface AuthProps {
  readonly config: StageConfig;
}

/** The scope every user-pool access token carries and ID tokens lack (see ApiStack routes). */
export const ACCESS_TOKEN_SCOPE = 'aws.cognito.signin.user.admin';

import { ADMIN_GROUP } from '../../functions/platform/names';

export { ADMIN_GROUP };

const JWKS_HANDLER = fileURLToPath(new URL('./jwks-handler.ts', import.meta.url));

export class Auth extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly client: cognito.UserPoolClient;
  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`: the tokens' `iss`. */
  public readonly issuer: string;
  public readonly binding: AuthBinding;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    const { config } = props;

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
      mfa: cognito.Mfa.OPTIONAL,
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

    // A public client (no secret) for a browser app. SRP for the front end; USER_PASSWORD_AUTH
    // so an operator can get a token with the AWS CLI (docs/deploy.md). No hosted UI/OAuth.
    this.client = this.userPool.addClient('WebClient', {
      userPoolClientName: `${config.prefix}-web`,
      generateSecret: false,
      authFlows: { userSrp: true, userPassword: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    this.issuer = this.userPool.userPoolProviderUrl;

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

    acknowledge(this.userPool, [
      {
        id: 'AwsSolutions-COG2',
        reason:
          'TOTP MFA is offered (optional) but not forced on retail users; admin accounts are expected to enrol (docs/deploy.md).',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan (threat protection) is billed per MAU; Essentials is enough until a public launch.',
      },
    ]);
    acknowledge(provider, [
      { id: LAMBDA_BASIC_EXECUTION, reason: 'CDK Provider framework function: writes its own logs.' },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fetcher.node.defaultChild as CfnResource)}.Arn>:*]`,
        reason: 'CDK Provider framework may invoke the JWKS fetcher and its versions (`:*`), nothing else.',
      },
    ]);
  }
}
