/**
 * Tool groups and profiles. Upstream OpenClaw's current tables (upstream-protocol §5) merged
 * with the seed's (seed-defender §7.1), so a seed config and an upstream config both mean what
 * they meant. Every name here is already normalised (lowercase, aliases applied).
 */

/** `group:<name>` → member tools. */
export const TOOL_GROUPS: Readonly<Record<string, readonly string[]>> = {
  "group:memory": ["memory_search", "memory_get"],
  "group:web": ["web_search", "web_fetch", "x_search"],
  "group:fs": ["read", "write", "edit", "apply_patch"],
  "group:runtime": ["exec", "process", "code_execution"],
  "group:sessions": [
    "sessions",
    "sessions_list",
    "sessions_history",
    "sessions_search",
    "sessions_send",
    "sessions_spawn",
    "sessions_yield",
    "subagents",
    "session_status",
    "conversations_list",
    "conversations_send",
    "conversations_turn",
    "suggest_task",
    "dismiss_task",
  ],
  "group:ui": ["browser", "canvas", "screen", "theme", "dashboard", "terminal", "portal", "show_widget"],
  "group:automation": ["cron", "gateway", "heartbeat_respond", "plugins", "openclaw"],
  "group:messaging": ["message"],
  "group:nodes": ["nodes", "computer"],
  "group:agents": ["agents_list", "progress_card", "ask_user", "skill_workshop"],
  "group:media": ["view_image", "image_generate", "music_generate", "video_generate", "tts", "pdf", "image"],
  "group:openclaw": [
    "browser",
    "canvas",
    "nodes",
    "cron",
    "message",
    "gateway",
    "agents_list",
    "sessions_list",
    "sessions_history",
    "sessions_send",
    "sessions_spawn",
    "subagents",
    "session_status",
    "memory_search",
    "memory_get",
    "web_search",
    "web_fetch",
    "image",
    "x_search",
    "sessions",
    "sessions_search",
    "sessions_yield",
    "heartbeat_respond",
    "plugins",
    "computer",
    "progress_card",
    "ask_user",
    "skill_workshop",
    "view_image",
    "image_generate",
    "music_generate",
    "video_generate",
    "tts",
    "pdf",
    "screen",
    "theme",
    "dashboard",
    "terminal",
    "portal",
    "show_widget",
  ],
};

/**
 * Profiles: each is an allow list (`full` allows everything). Upstream allows `gateway` in
 * minimal/coding/messaging for its update action only; Talon cannot see the sub-action
 * reliably, so those profiles leave it out (add it with the plugin's `alsoAllow`).
 */
export const TOOL_PROFILES: Readonly<Record<string, readonly string[]>> = {
  minimal: ["session_status"],
  coding: [
    "group:fs",
    "group:runtime",
    "group:web",
    "group:sessions",
    "group:memory",
    "cron",
    "progress_card",
    "ask_user",
    "skill_workshop",
    "view_image",
    "image_generate",
    "music_generate",
    "video_generate",
    "image",
  ],
  messaging: ["group:messaging", "sessions_list", "sessions_history", "sessions_send", "subagents", "session_status", "ask_user"],
  full: [],
};
