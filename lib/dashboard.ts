// The stage's CloudWatch dashboard, `purchaser-registry-<stage>`: how the metrics lib/monitoring.ts
// watches are laid out, not which ones. A section per part of the system (API, functions, events,
// table), each a heading, the state of its alarms, then its graphs.
//
// Built in the scope it is given (the stack), like the other pieces of lib/.
import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  type IMetric,
  type IWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';

/** One part of the system on the dashboard. */
export interface DashboardSection {
  readonly title: string;
  /** Shown as a status grid under the heading, so a glance says which alarm fires. */
  readonly alarms: readonly Alarm[];
  readonly graphs: readonly IWidget[];
}

/** The dashboard's full width, in CloudWatch's grid units. */
const WIDTH = 24;
/** An alarm status widget lists at most this many alarms (CloudWatch's limit). */
const ALARMS_PER_GRID = 100;
/** Alarm tiles in one line of a full-width status grid, near enough to size its height. */
const TILES_PER_LINE = 6;

/** Builds the dashboard under the id `Dashboard`. */
export function registryDashboard(scope: Construct, name: string, sections: readonly DashboardSection[]): Dashboard {
  const dashboard = new Dashboard(scope, 'Dashboard', { dashboardName: name, defaultInterval: Duration.hours(3) });
  for (const section of sections) {
    dashboard.addWidgets(new TextWidget({ markdown: `## ${section.title}`, width: WIDTH, height: 1 }));
    dashboard.addWidgets(...statusGrids(section.title, section.alarms), ...section.graphs);
  }
  return dashboard;
}

function statusGrids(title: string, alarms: readonly Alarm[]): AlarmStatusWidget[] {
  const grids: AlarmStatusWidget[] = [];
  for (let start = 0; start < alarms.length; start += ALARMS_PER_GRID) {
    const chunk = alarms.slice(start, start + ALARMS_PER_GRID);
    grids.push(
      new AlarmStatusWidget({
        title: `${title} alarms`,
        alarms: chunk,
        width: WIDTH,
        height: 1 + Math.ceil(chunk.length / TILES_PER_LINE),
      }),
    );
  }
  return grids;
}

export interface GraphOptions {
  /** Lines on the right axis (another unit than the left's). */
  readonly right?: readonly IMetric[];
  /** Alarm thresholds (`alarm.toAnnotation()`) drawn across the left axis. */
  readonly thresholds?: readonly HorizontalAnnotation[];
}

/** A half-width graph: two side by side. */
export function graph(title: string, left: readonly IMetric[], options: GraphOptions = {}): GraphWidget {
  return new GraphWidget({
    title,
    left: [...left],
    right: options.right ? [...options.right] : undefined,
    leftAnnotations: options.thresholds ? [...options.thresholds] : undefined,
    width: WIDTH / 2,
    height: 6,
  });
}
