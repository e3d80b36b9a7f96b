"use client";
import type { ChatClientSocket } from "../client/socket";
import type { DeviceCommand } from "@/lib/contract/commands";
import { timeOfDay } from "../client/format";
import { useThermometers } from "../client/use-thermometers";
import { ThermometerChart } from "./ThermometerChart";

const COMMAND_BUTTONS: { command: DeviceCommand; label: string }[] = [
  { command: "subscribe", label: "Subscribe" },
  { command: "unsubscribe", label: "Unsubscribe" },
  { command: "reboot", label: "Reboot" },
  { command: "range", label: "Range" },
];

/** The live thermometer: value, chart, status, and buttons that send the same DM commands a person could type. */
export function ThermometerPanel(props: {
  socket: ChatClientSocket | null;
  lastReplies: ReadonlyMap<string, string>;
  sendCommand: (device: string, command: DeviceCommand) => void;
}) {
  const { list, selected, select, readings } = useThermometers(props.socket);
  const device = list.state === "ready" ? list.devices.find((d) => d.device === selected) : undefined;
  const lastReply = device && props.lastReplies.get(device.device);

  return (
    <section className="thermo" aria-label="Thermometer">
      <h2>Thermometer</h2>
      {list.state === "loading" && <p className="empty">Loading…</p>}
      {list.state === "unavailable" && <p className="empty">{list.reason}</p>}
      {list.state === "ready" && list.devices.length === 0 && (
        <p className="empty">No thermometers are connected to this server.</p>
      )}
      {list.state === "ready" && list.devices.length > 1 && (
        <label className="thermo-picker">
          Device{" "}
          <select value={selected ?? ""} onChange={(event) => select(event.target.value)}>
            {list.devices.map((d) => (
              <option key={d.device}>{d.device}</option>
            ))}
          </select>
        </label>
      )}
      {device && (
        <>
          <div className="thermo-now">
            <span className="thermo-value">
              <span className="visually-hidden">Current value: </span>
              {device.last ? `${device.last.value.toFixed(1)} ${device.unit}` : "—"}
            </span>
            <span className={`status-pill is-${device.status}`} data-status={device.status}>
              {device.status}
            </span>
          </div>
          <p className="thermo-meta">
            {device.device} · range {device.range.min}–{device.range.max} {device.unit}
            {device.last && <> · last at {timeOfDay(device.last.timestamp)}</>}
          </p>
          <ThermometerChart readings={readings} unit={device.unit} device={device.device} />
          <p className="thermo-meta">
            <span className="reading-count" data-count={readings.length}>
              {readings.length} readings
            </span>
            {readings.length > 0 && (
              <>
                {" "}
                · min {Math.min(...readings.map((r) => r.value)).toFixed(1)} · max{" "}
                {Math.max(...readings.map((r) => r.value)).toFixed(1)} {device.unit}
              </>
            )}
          </p>
          <p className="thermo-subscription" role="status">
            {device.subscribed
              ? "Subscribed: the chart follows live readings."
              : "Not subscribed: the chart is paused. Subscribe to follow live readings."}
          </p>
          <div className="thermo-buttons">
            {COMMAND_BUTTONS.map(({ command, label }) => (
              <button
                key={command}
                type="button"
                disabled={
                  (command === "subscribe" && device.subscribed) ||
                  (command === "unsubscribe" && !device.subscribed) ||
                  (command === "reboot" && device.status !== "running")
                }
                onClick={() => props.sendCommand(device.device, command)}
              >
                {label}
              </button>
            ))}
          </div>
          {lastReply && (
            <p className="thermo-reply">
              <span className="visually-hidden">Latest reply from {device.device}: </span>
              {lastReply}
            </p>
          )}
        </>
      )}
    </section>
  );
}
