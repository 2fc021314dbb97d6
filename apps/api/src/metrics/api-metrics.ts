import {
  Global,
  Injectable,
  MiddlewareConsumer,
  Module,
  NestModule,
  Provider,
} from '@nestjs/common';
import type { NestMiddleware } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram } from 'prom-client';

const REQUESTS = 'api_http_requests_total';
const DURATION = 'api_http_request_duration_seconds';
const SCANS = 'api_scans_total';
const ALERTS = 'api_alerts_raised_total';
const IMPORTS = 'api_imports_total';
const IMPORTED_RECORDS = 'api_imported_records_total';

/** What a scan, an import or a scoring call ended with. */
export type JobOutcome = 'succeeded' | 'failed' | 'cancelled';
/** Where alerts were raised: a scan over the graph, or the real-time scoring endpoint. */
export type AlertSource = 'scan' | 'score';

const API_METRIC_PROVIDERS: Provider[] = [
  makeCounterProvider({
    name: REQUESTS,
    help: 'HTTP requests answered, by method, route pattern (not the raw path, so ids do not multiply series) and status.',
    labelNames: ['method', 'route', 'status'],
  }),
  makeHistogramProvider({
    name: DURATION,
    help: 'Time from the request to the end of the answer, by method and route pattern.',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  }),
  makeCounterProvider({
    name: SCANS,
    help: 'Detection scans finished, by outcome.',
    labelNames: ['outcome'],
  }),
  makeCounterProvider({
    name: ALERTS,
    help: 'Alerts raised or grown, by where they were raised (scan or score) and rule id.',
    labelNames: ['source', 'rule'],
  }),
  makeCounterProvider({
    name: IMPORTS,
    help: 'Data imports finished, by outcome.',
    labelNames: ['outcome'],
  }),
  makeCounterProvider({
    name: IMPORTED_RECORDS,
    help: 'Records (vertices and edges) written by data imports.',
  }),
];

/** The label for requests that matched no route: one series, whatever the path asked for. */
export const NO_ROUTE = '(no route)';
/** The catch-all route Nest registers to answer 404 for unknown paths. */
const NOT_FOUND_ROUTES: ReadonlySet<string> = new Set(['/{*path}', '*', '/*']);

/**
 * The API's business and HTTP metrics, on `/metrics` with the process defaults. Controllers and
 * services call the methods; the middleware below counts every request.
 */
@Injectable()
export class ApiMetrics {
  constructor(
    @InjectMetric(REQUESTS) private readonly requests: Counter<'method' | 'route' | 'status'>,
    @InjectMetric(DURATION) private readonly duration: Histogram<'method' | 'route'>,
    @InjectMetric(SCANS) private readonly scans: Counter<'outcome'>,
    @InjectMetric(ALERTS) private readonly alerts: Counter<'source' | 'rule'>,
    @InjectMetric(IMPORTS) private readonly imports: Counter<'outcome'>,
    @InjectMetric(IMPORTED_RECORDS) private readonly importedRecords: Counter,
  ) {}

  requestAnswered(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.duration.observe({ method, route }, seconds);
  }

  scanFinished(outcome: JobOutcome): void {
    this.scans.inc({ outcome });
  }

  alertsRaised(source: AlertSource, rule: string, count = 1): void {
    if (count > 0) this.alerts.inc({ source, rule }, count);
  }

  importFinished(outcome: JobOutcome, records: number): void {
    this.imports.inc({ outcome });
    if (records > 0) this.importedRecords.inc(records);
  }
}

/** Counts every request once its answer ends (or the caller goes away), by route pattern. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: ApiMetrics) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    let counted = false;
    const count = (): void => {
      if (counted) return;
      counted = true;
      const matched = (request.route as { path?: string } | undefined)?.path;
      const route = matched === undefined || NOT_FOUND_ROUTES.has(matched) ? NO_ROUTE : matched;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // 499: the caller closed the connection before the answer was complete (as nginx counts it).
      const status = response.writableFinished ? response.statusCode : 499;
      this.metrics.requestAnswered(request.method, route, status, seconds);
    };
    response.once('finish', count);
    response.once('close', count);
    next();
  }
}

/** Global, so any HTTP module can inject `ApiMetrics` without importing this one. */
@Global()
@Module({
  providers: [...API_METRIC_PROVIDERS, ApiMetrics],
  exports: [ApiMetrics],
})
export class ApiMetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
