import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { loadAllSettings } from '@app/settings';
import type { SecurityConfig } from '@app/settings';
import { FixedClock } from '@app/vocabulary';
import type { Principal } from './principal';
import { RequiresStepUp, whenClosingAlert } from './step-up.decorator';
import { StepUpGuard, StepUpRequiredException } from './step-up.guard';
import { StepUpTokens } from './step-up-tokens';

const NOW = Date.UTC(2026, 0, 1, 12);
const NOW_SECONDS = NOW / 1000;

class Routes {
  @RequiresStepUp()
  audit(): void {}

  @RequiresStepUp(whenClosingAlert)
  changeStatus(): void {}

  open(): void {}
}

function contextFor(
  handler: keyof Routes,
  principal: Principal,
  extra: { body?: unknown; headers?: Record<string, string> } = {},
): ExecutionContext {
  const request = { principal, body: extra.body, headers: extra.headers ?? {} };
  return {
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

function setup(overrides: Partial<SecurityConfig> = {}): {
  guard: StepUpGuard;
  tokens: StepUpTokens;
} {
  const security = { ...loadAllSettings({}).security, ...overrides };
  const clock = new FixedClock(NOW);
  const tokens = new StepUpTokens(security, clock);
  return { guard: new StepUpGuard(new Reflector(), tokens, clock, security), tokens };
}

const user = (amr: string[], authTime: number, acr?: string): Principal => ({
  id: 'user:u-1',
  role: 'admin',
  kind: 'user',
  authContext: { amr, authTime, ...(acr === undefined ? {} : { acr }) },
});
const key: Principal = { id: 'key-0123456789ab', role: 'admin', kind: 'api-key' };

describe('StepUpGuard', () => {
  it('lets unmarked routes through and refuses marked ones without a second factor', async () => {
    const { guard } = setup();
    await expect(guard.canActivate(contextFor('open', key))).resolves.toBe(true);
    await expect(guard.canActivate(contextFor('audit', key))).rejects.toThrow(
      StepUpRequiredException,
    );
  });

  it('asks for a step-up only when the new alert status closes the alert', async () => {
    const { guard } = setup();
    for (const status of ['open', 'investigating', 'escalated', 42]) {
      await expect(
        guard.canActivate(contextFor('changeStatus', key, { body: { status } })),
      ).resolves.toBe(true);
    }
    for (const status of ['closed-false-positive', 'closed-reported']) {
      await expect(
        guard.canActivate(contextFor('changeStatus', key, { body: { status } })),
      ).rejects.toThrow(StepUpRequiredException);
    }
  });

  it('accepts an amr second factor within the age limit, not beyond it', async () => {
    const { guard } = setup({ stepUpMaxAgeSeconds: 900 });
    await expect(
      guard.canActivate(contextFor('audit', user(['pwd', 'hwk'], NOW_SECONDS - 900))),
    ).resolves.toBe(true);
    await expect(
      guard.canActivate(contextFor('audit', user(['pwd', 'hwk'], NOW_SECONDS - 901))),
    ).rejects.toThrow(StepUpRequiredException);
    await expect(
      guard.canActivate(contextFor('audit', user(['pwd'], NOW_SECONDS - 10))),
    ).rejects.toThrow(StepUpRequiredException);
  });

  it('accepts a configured acr value as a second factor', async () => {
    const { guard } = setup({ stepUpAcrValues: ['urn:bank:loa:high'] });
    await expect(
      guard.canActivate(contextFor('audit', user(['pwd'], NOW_SECONDS - 10, 'urn:bank:loa:high'))),
    ).resolves.toBe(true);
    await expect(
      guard.canActivate(contextFor('audit', user(['pwd'], NOW_SECONDS - 10, 'urn:bank:loa:low'))),
    ).rejects.toThrow(StepUpRequiredException);
  });

  it('accepts a step-up token of the same principal in X-Step-Up-Token', async () => {
    const { guard, tokens } = setup();
    const { token } = await tokens.issue(key.id, 'otp');
    const headers = { 'x-step-up-token': token };
    await expect(guard.canActivate(contextFor('audit', key, { headers }))).resolves.toBe(true);
    await expect(
      guard.canActivate(contextFor('audit', { ...key, id: 'key-other' }, { headers })),
    ).rejects.toThrow('belongs to another caller');
  });

  it('lets everything through with STEP_UP_REQUIRED=false', async () => {
    const { guard } = setup({ stepUpRequired: false });
    await expect(guard.canActivate(contextFor('audit', key))).resolves.toBe(true);
  });
});
