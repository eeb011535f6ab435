/**
 * Sessions end (issue 16 item 7): the web client's access and ID tokens live 15 minutes (the
 * most a revoked session's access token can still be used against an offline verifier), the
 * refresh token 30 days, and the client allows revoking refresh tokens and the refresh grant.
 */
import { describe, expect, it } from 'vitest';
import { resourcesOf, synthApp } from './helpers';

synthApp('prod');

function webClient(stage: 'dev' | 'prod') {
  const [[, found] = ['', undefined]] = resourcesOf(
    synthApp(stage).templates.api,
    'AWS::Cognito::UserPoolClient',
  );
  return found?.Properties ?? {};
}

/** A validity in minutes, whatever unit CloudFormation was given. */
function minutes(props: Record<string, unknown>, token: 'AccessToken' | 'IdToken' | 'RefreshToken') {
  const units = (props.TokenValidityUnits ?? {}) as Record<string, string>;
  const value = Number(props[`${token}Validity`]);
  const perUnit = { seconds: 1 / 60, minutes: 1, hours: 60, days: 1440 }[units[token] ?? 'hours'];
  return value * (perUnit ?? Number.NaN);
}

describe('sessions of the web client', () => {
  for (const stage of ['prod', 'dev'] as const) {
    it(`${stage}: access and ID tokens live 15 minutes, within Cognito's 5 minutes to 1 day`, () => {
      const props = webClient(stage);
      expect(minutes(props, 'AccessToken')).toBe(15);
      expect(minutes(props, 'IdToken')).toBe(15);
    });
  }

  it('prod: refresh tokens live 30 days, may be revoked, and renew sessions through the refresh grant', () => {
    const props = webClient('prod');
    expect(minutes(props, 'RefreshToken')).toBe(30 * 1440);
    expect(props.EnableTokenRevocation).toBe(true);
    expect(props.ExplicitAuthFlows).toContain('ALLOW_REFRESH_TOKEN_AUTH');
  });
});
