/** The driver id: plugin name, `channels.status` key and session-key channel. */
export const DRIVER_ID = "matrix";
