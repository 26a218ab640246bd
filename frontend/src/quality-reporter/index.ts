// Pulse's browser quality reporter: the entry of its own library build
// (vite.quality-reporter.config.ts → backend/internal/qualityjs, served as
// /pulse-quality.js with the global PulseQuality and /pulse-quality.mjs as an
// ES module). Dependency-free and separate from the dashboard: nothing here
// may import from the rest of src/.
export { reportLiveKitQuality, mapLiveKitQuality } from './livekit';
export { reportDailyQuality, mapDailyQuality } from './daily';
export { PulseQualityError } from './reporter';
export type { PulseQuality, ReporterOptions } from './reporter';
export type { LiveKitRoomLike } from './livekit';
export type { DailyCallLike } from './daily';
