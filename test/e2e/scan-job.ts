import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import request from 'supertest';
import { ScanJobs } from '../../apps/api/src/alerts/scan-jobs.service';

export interface FinishedScan {
  jobId: string;
  status: string;
  report?: { alerts: { detected: number; created: number }; alertIds: string[] };
}

/**
 * Starts an alert scan over HTTP (202 and a job), waits until the job has finished (the API
 * runs in this process, so the wait is on the job itself, not a polling sleep), then reads the
 * finished job over HTTP as a client would.
 */
export async function scanToEnd(
  app: INestApplication,
  headers: Record<string, string>,
  body: object,
): Promise<FinishedScan> {
  const http = app.getHttpServer() as Server;
  const started = await request(http)
    .post('/api/v1/alerts/scan')
    .set(headers)
    .send(body)
    .expect(202);
  const { jobId } = started.body as { jobId: string };
  await app.get(ScanJobs).settled(jobId);
  const done = await request(http).get(`/api/v1/alerts/scan/${jobId}`).set(headers).expect(200);
  return done.body as FinishedScan;
}
