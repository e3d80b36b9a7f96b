"use client";
/**
 * A live line chart of readings. uPlot is imported only when the chart mounts, so the chat page
 * itself does not carry it.
 */
import { useEffect, useRef } from "react";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ReadingEvent } from "@/lib/contract/payloads";

const HEIGHT = 180;

function toSeries(readings: ReadingEvent[]): uPlot.AlignedData {
  return [readings.map((r) => new Date(r.timestamp).getTime() / 1000), readings.map((r) => r.value)];
}

export function ThermometerChart({
  readings,
  unit,
  device,
}: {
  readings: ReadingEvent[];
  unit: string;
  device: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latestReadings = useRef(readings);
  latestReadings.current = readings;

  useEffect(() => {
    let cancelled = false;
    let resize: ResizeObserver | undefined;
    void import("uplot").then(({ default: UPlot }) => {
      const element = container.current;
      if (cancelled || !element) return;
      const options: uPlot.Options = {
        width: Math.max(element.clientWidth, 200),
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true } },
        axes: [
          { stroke: "#6b7280", grid: { stroke: "#e5e7eb" } },
          {
            stroke: "#6b7280",
            grid: { stroke: "#e5e7eb" },
            values: (_u, ticks) => ticks.map((t) => `${t.toFixed(1)}${unit}`),
            size: 60,
          },
        ],
        series: [{}, { label: device, stroke: "#2563eb", width: 2, fill: "rgba(37, 99, 235, 0.08)" }],
      };
      plot.current = new UPlot(options, toSeries(latestReadings.current), element);
      resize = new ResizeObserver(() =>
        plot.current?.setSize({ width: Math.max(element.clientWidth, 200), height: HEIGHT }),
      );
      resize.observe(element);
    });
    return () => {
      cancelled = true;
      resize?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [unit, device]);

  useEffect(() => {
    plot.current?.setData(toSeries(readings));
  }, [readings]);

  return (
    <div
      className="chart"
      ref={container}
      role="img"
      aria-label={`Line chart of the last ${readings.length} readings from ${device}`}
    />
  );
}
