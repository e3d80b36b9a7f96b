"use client";
/**
 * The thermometer panel's data: the device list over HTTP, each device's recent readings (seeded
 * from history, then appended live from `thermometer:reading`), status and subscription changes.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { DeviceStatusEvent, DeviceSummary, ReadingEvent, SubscriptionEvent } from "@/lib/contract/payloads";
import { api } from "./api";
import { apiErrorCode } from "./api-errors";
import type { ChatClientSocket } from "./socket";

/** The chart shows at most this many points, so a long session does not grow without bound. */
export const READINGS_WINDOW = 300;

export type ThermometerList =
  | { state: "loading" }
  | { state: "unavailable"; reason: string }
  | { state: "ready"; devices: DeviceSummary[] };

export function appendReading(readings: ReadingEvent[], reading: ReadingEvent): ReadingEvent[] {
  const last = readings[readings.length - 1];
  if (last && last.timestamp >= reading.timestamp) return readings; // a duplicate, or history already had it
  const next = [...readings, reading];
  return next.length > READINGS_WINDOW ? next.slice(next.length - READINGS_WINDOW) : next;
}

/**
 * Recent readings per device name. A Map, not a plain object: a device may be called `constructor`
 * or `__proto__` (device names follow the username rules), which a plain object would answer from
 * Object.prototype.
 */
export type ReadingsByDevice = ReadonlyMap<string, ReadingEvent[]>;

/** A device's stored history, with the live readings that arrived while it was on its way kept. */
export function withHistory(current: ReadingsByDevice, device: string, history: ReadingEvent[]): ReadingsByDevice {
  const merged = (current.get(device) ?? []).reduce(appendReading, history.slice(-READINGS_WINDOW));
  return new Map(current).set(device, merged);
}

export function withReading(current: ReadingsByDevice, reading: ReadingEvent): ReadingsByDevice {
  return new Map(current).set(reading.device, appendReading(current.get(reading.device) ?? [], reading));
}

export function useThermometers(socket: ChatClientSocket | null) {
  const [list, setList] = useState<ThermometerList>({ state: "loading" });
  const [selected, setSelected] = useState<string | null>(null);
  const [readings, setReadings] = useState<ReadingsByDevice>(() => new Map());
  const selectedRef = useRef(selected);
  selectedRef.current = selected;

  const updateDevice = useCallback((device: string, change: Partial<DeviceSummary>) => {
    setList((current) =>
      current.state === "ready"
        ? { ...current, devices: current.devices.map((d) => (d.device === device ? { ...d, ...change } : d)) }
        : current,
    );
  }, []);

  const loadReadings = useCallback(async (device: string) => {
    try {
      const { readings: history } = await api.readings(device, READINGS_WINDOW);
      setReadings((current) => withHistory(current, device, history));
    } catch {
      // The chart stays as it is; the next reconnect tries again.
    }
  }, []);

  const loadDevices = useCallback(async () => {
    try {
      const { thermometers } = await api.thermometers();
      setList({ state: "ready", devices: thermometers });
      const device = selectedRef.current ?? thermometers[0]?.device ?? null;
      setSelected(device);
      if (device) await loadReadings(device);
    } catch (error) {
      const reason =
        apiErrorCode(error) === "not-found"
          ? "No thermometers are connected to this server."
          : "Could not load the thermometers.";
      setList({ state: "unavailable", reason });
    }
  }, [loadReadings]);

  useEffect(() => {
    void loadDevices();
  }, [loadDevices]);

  useEffect(() => {
    if (!socket) return;
    let connectedBefore = socket.connected;
    const onConnect = () => {
      if (connectedBefore) void loadDevices(); // fill the gap left by the disconnection
      connectedBefore = true;
    };
    const onReading = (reading: ReadingEvent) => {
      setReadings((current) => withReading(current, reading));
      updateDevice(reading.device, { last: reading });
    };
    const onStatus = ({ device, status }: DeviceStatusEvent) => updateDevice(device, { status });
    const onSubscription = ({ device, subscribed }: SubscriptionEvent) => updateDevice(device, { subscribed });
    socket.on("connect", onConnect);
    socket.on("thermometer:reading", onReading);
    socket.on("thermometer:status", onStatus);
    socket.on("thermometer:subscription", onSubscription);
    return () => {
      socket.off("connect", onConnect);
      socket.off("thermometer:reading", onReading);
      socket.off("thermometer:status", onStatus);
      socket.off("thermometer:subscription", onSubscription);
    };
  }, [socket, loadDevices, updateDevice]);

  const select = useCallback(
    (device: string) => {
      setSelected(device);
      void loadReadings(device);
    },
    [loadReadings],
  );

  return { list, selected, select, readings: selected ? (readings.get(selected) ?? []) : [] };
}
