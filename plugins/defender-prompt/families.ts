/**
 * The built-in prompt-injection rule families. Every pattern runs on folded text (lowercase,
 * accents stripped, single spaces; see normalize.ts), so it needs no `i` flag and no `\s+`.
 * Gaps between words are bounded (`(?: \S+){0,3}`), so no pattern can backtrack badly.
 *
 * Scores are Talon's own (the seed gave 18 per pattern, too little to reach review on its own):
 * one strong family reaches review (35) alone; further families add at decreasing weight.
 */
import { DOCUMENT_FAMILIES } from "./families-document.ts";
import { INTENT_FAMILIES } from "./families-intent.ts";
import { ABOUT_THE_FEATURE, OVERRIDE_VERB } from "./lexicon.ts";

/**
 * How a text is read, by where it came from (ActionRole): what the person typed (`user`), data a
 * tool, a page, a file or memory handed over (`document`: tool, memory and assistant text), or
 * the operator's own system prompt (`system`: only the configured patterns run on it).
 */
export type RoleClass = "user" | "document" | "system";

/** One family of rules: any pattern matching counts once, and families sharing a tag count once together. */
export interface RuleFamily {
  /** Stable id, used in config (`families.<id>`). */
  readonly id: string;
  /** Tag added next to `prompt_injection`; the score counts once per tag. */
  readonly tag: string;
  /** Risk points when the family matches (on every role class it reads, unless `roles` says otherwise). */
  readonly score: number;
  /** Role classes the family reads and its score on each; absent: `user` and `document` at `score`. */
  readonly roles?: Readonly<Partial<Record<RoleClass, number>>>;
  /** Only run on text hidden from a human reader (invisible HTML, comments). */
  readonly hiddenOnly?: boolean;
  /** Also run on the text with its line breaks kept (patterns may anchor on `(?:^|\n)`). */
  readonly lineAware?: boolean;
  /** Cheap prefilter: the patterns only run on text this matches (every one of them, for a list). */
  readonly trigger: RegExp | readonly RegExp[];
  readonly patterns: readonly RegExp[];
  /** What the family means, for reasons. */
  readonly description: string;
}

const OVERRIDE_WORD = String.raw`(?:all|any|every|each|the|your|my|its|of|and|or|previous(?:ly)?|prior|above|earlier|preceding|initial|original|old|existing|system|developer'?s?|operator'?s?|current|these|those|other|following|safety|security|content|moderation|what|you|were|was|told|given|received|before|so far|\S+s'|\S+'s)`;
/** Sentence text up to a real full stop: a dot inside a token (an IP, a domain) does not end it. */
const GAP = String.raw`(?:[^.!?\n]|\.(?=\S))`;
const OVERRIDE_NOUN = String.raw`(?:instructions?|instruction set|directions?|directives?|rules|guidelines|guidance|prompts?|commands|context|constraints|programming|orders|system (?:prompt|message)|training|polic(?:y|ies)|restrictions|messages? from (?:the )?(?:system|developer|operator|admin))`;
const ACTION_VERB = String.raw`(?:run(?:ning)?|execut(?:e|ing)|exec|install(?:ing)?|delet(?:e|ing)|remov(?:e|ing)|wip(?:e|ing)|send(?:ing)?|transfer(?:ring)?|upload(?:ing)?|push(?:ing)?|deploy(?:ing)?|apply(?:ing)?|chang(?:e|ing)|grant(?:ing)?|approv(?:e|ing)|merg(?:e|ing)|proceed(?:ing)?|go ahead|continue|do it|just do|modify(?:ing)?|overwrit(?:e|ing)|e-?mail(?:ing)?|forward(?:ing)?|download(?:ing)?)`;
const APPROVAL_PHRASE = String.raw`(?:without (?:(?:first |ever )?(?:asking|confirmation|confirming|approval|permission|consent|prompting|checking|notifying|telling|requesting (?:permission|approval|confirmation)))|(?:do not|don't|never|no need to) (?:ask|wait|check|prompt|request)(?:ing)?(?: \S+){0,3}? (?:for )?(?:approval|permission|confirmation|consent)|(?:do not|don't|never|no need to) (?:ask|prompt|confirm with|check with|notify|tell|inform|mention (?:it|this|anything) to)(?: \S+){0,2}? (?:the )?(?:user|operator|anyone|human|admin|owner)|(?:skip|bypass|circumvent) (?:the |any |all )?(?:approval|confirmation|permission)s?(?: step| process| flow| prompt| check| system)?|auto-?approve|approve (?:every|all|any) (?:\S+ )?(?:requests?|tool calls?|commands?|actions?)|silently grant|proceed silently)`;
const SECRET_THING = String.raw`(?:~\/\.ssh|\.ssh|id_rsa|private keys?|\.env\b|\.aws|credentials|passwords?|api keys?|api tokens?|secrets?|access tokens?|tokens|session cookies|cookies|\/etc\/shadow|inbox|conversation(?: history| so far)?|chat history|contents of)`;
const PERSONA = String.raw`(?:act as|acting as|pretend|you are|you're|roleplay|role-play|imagine (?:you|that you)|simulate|become|from now on,? you|as an? (?:ai|assistant|model|chatbot|llm)|respond|answer|reply|you (?:had|have|were) no|if you (?:had|were|have))`;
const NO_LIMITS = String.raw`(?:no|without|free (?:of|from)|zero|lifted|removed|broken free (?:of|from)|freed from|unbound by|no longer bound by)${GAP}{0,30}?(?:restrictions|limitations|limits|filter(?:s|ing)?|censorship|guidelines|rules|polic(?:y|ies)|constraints|guardrails|ethic|moral|norms|boundaries)`;

/** The families of the seed's and Talon's first rule set, strongest evidence first. */
const BASE_FAMILIES: readonly RuleFamily[] = [
  {
    id: "instruction_override",
    tag: "instruction_override",
    score: 40,
    trigger: [
      /instruction|direction|directive|rules|guideline|guidance|prompt|command|context|constraint|programming|orders|system|training|polic|restriction|message|everything|anything|what|task|objective|ones|cancel|void|revoked|deprecated|obsolete|expired|outdated|overridden|superseded|null|invalid|test|no longer/,
      /ignor|disregard|forget|skip|drop|discard|overrid|bypass|cancel|erase|abandon|reset|set aside|pay no attention|stop following|follow|obey|never ?mind|instruction|directive|rules|prompt|guideline|supersede|replace|your (?:new|real|only)/,
    ],
    description: "tells the model to drop its instructions",
    patterns: [
      // With at least one qualifier ("ignore all/the/your/previous instructions"), or in imperative position.
      new RegExp(String.raw`\b${OVERRIDE_VERB}\b(?: ${OVERRIDE_WORD}){1,5} ${OVERRIDE_NOUN}\b`),
      new RegExp(String.raw`(?:^|[.!?:;,] |\b(?:please|now|just|and|then|so|must|should|to|you) )${OVERRIDE_VERB} ${OVERRIDE_NOUN}\b`),
      new RegExp(
        String.raw`\b(?:ignore|disregard|forget|never ?mind)(?: (?:all|about))? (?:everything|anything|all|what) (?:(?:you (?:were|have been|'ve been) (?:told|given|instructed))|above|before (?:this|that|now)|prior|so far|previously|(?:the )?(?:system|developer|operator) (?:said|says|told you))`,
      ),
      new RegExp(
        String.raw`\b(?:previous|prior|earlier|original|initial|old|above|existing|system|developer'?s?|operator'?s?|your|all)(?: \S+){0,2} (?:instructions?|directives?|rules|guidelines|prompts?|constraints|orders) (?:(?:are|were|is|have|has)(?: been| now)? )?(?:cancel+ed|void(?:ed)?|revoked|deprecated|obsolete|expired|outdated|overridden|superseded|null|invalid|a test|no longer (?:apply|valid|in effect|relevant))\b`,
      ),
      new RegExp(
        String.raw`\b(?:supersedes?|replaces?|overrides?) (?:all |any )?(?:previous|prior|earlier|other|existing) (?:ones|instructions|rules|directives)\b`,
      ),
      new RegExp(
        String.raw`\b(?:the )?(?:real|actual|true|updated) (?:instructions?|rules|task|objective) (?:are|is|follows?)\b|\byour (?:new|real|only) (?:task|goal|objective|purpose|job|instructions?) (?:is|are|now)\b`,
      ),
    ],
  },
  {
    id: "instruction_override_i18n",
    tag: "instruction_override",
    score: 40,
    trigger:
      /ignor|vergiss|missacht|oubli|ne tiens|olvid|descart|dimentic|esquec|negeer|vergeet|zignoruj|zapomnij|игнор|забудь|отбрось|talimat|忽略|无视|忘记|忽视|無視|忘れ|무시|잊/,
    description: "tells the model to drop its instructions (non-English)",
    patterns: [
      /\b(?:ignoriere|ignorier|vergiss|missachte)\b(?: \S+){0,3} (?:anweisungen|instruktionen|regeln|befehle|vorgaben)\b/,
      /\b(?:ignorer?|ignorez|oublie[rz]?|ne tiens pas compte de)\b(?: \S+){0,2} (?:les|tes|vos|des|toutes les|tous les) (?:\S+ )?(?:instructions|consignes|regles|directives)\b/,
      /\b(?:ignora|ignore|olvida|olvide|descarta|dimentica|esqueca|esquece)\b(?: \S+){0,3} (?:instrucciones|reglas|indicaciones|directrices|istruzioni|regole|direttive|instrucoes|regras|diretrizes)\b/,
      /\b(?:negeer|vergeet|zignoruj|ignoruj|zapomnij)\b(?: \S+){0,3} (?:instructies|regels|aanwijzingen|instrukcje|polecenia|zasady)\b/,
      /(?:^|\s)(?:игнорируй|проигнорируй|забудь|отбрось)(?: \S+){0,3} (?:инструкции|указания|правила)/,
      /(?:onceki|tum|butun)(?: \S+){0,2} talimatlar[ıi]\S* (?:yok say|gormezden gel|unut)/,
      /(?:忽略|无视|忘记|忽视|無視)(?:之前|以上|先前|上面|前面|所有|全部|的|一切|你){0,4}(?:指令|指示|说明|規則|规则|提示)/,
      /(?:指示|命令|ルール|指令)(?:を)?(?:すべて|全て)?(?:無視|忘れ)/,
      /(?:이전의?|모든|앞의) ?(?:모든 ?)?(?:지시|명령|지침|규칙)(?:를|을|사항)? ?(?:무시|잊)/,
    ],
  },
  {
    id: "prompt_exfiltration",
    tag: "prompt_exfiltration",
    score: 40,
    trigger: [
      /reveal|print|show|display|output|repeat|dump|leak|share|give|tell|list|recite|spell|echo|copy|paste|write|return|translat|summar|encod|disclos|expos|quote|what|came|comes|was used|were used|in your/,
      /prompt|instruction|rules|guideline|context|configuration|directive|preamble|message|text|words|everything|content|lines|password|api key|secret|token|credential/,
    ],
    description: "asks for the hidden system prompt or secrets in context",
    patterns: [
      new RegExp(
        String.raw`\b(?:reveal|print|show|display|output|repeat|dump|leak|share|give|tell|list|recite|spell(?:s)? out|echo|copy|paste|write out|return|translate|summari[sz]e|encode|disclose|expose|quote)(?: me| us)?(?: back)?(?: \S+){0,3}? (?:your|the|its) (?:\S+ ){0,2}?(?:system prompt|system message|system instructions|hidden (?:prompt|instructions|rules|message|preamble)|initial (?:prompt|instructions)|original (?:prompt|instructions)|secret (?:prompt|instructions|rules|configuration)|developer (?:message|prompt|instructions)|initiali[sz]ation prompt|preamble|confidential (?:guidelines|instructions|rules))\b${ABOUT_THE_FEATURE}`,
      ),
      new RegExp(
        String.raw`\b(?:reveal|print|show|display|output|repeat|dump|leak|share|recite|spell(?:s)? out|echo|copy|paste|write out|return|disclose|expose|quote)(?: me| us)?(?: back)?(?: \S+){0,5}? your (?:\S+ ){0,2}?(?:instructions|rules|prompt|guidelines|context(?: window)?|configuration|directives)\b`,
      ),
      // "What are your instructions for cooking rice?" asks for a recipe, not for the prompt.
      new RegExp(
        String.raw`\bwhat(?:'s| is| are| were| was)(?: \S+){0,5}? (?:in )?your (?:\S+ )?(?:system prompt|instructions|initial prompt|hidden \S+|guidelines|rules|developer instructions|system message)\b(?! (?:for|on|about|regarding|to|when|if)\b)`,
      ),
      new RegExp(
        String.raw`\b(?:repeat|print|output|copy|return|show|quote|dump)(?: \S+){0,3}? (?:text|words|everything|content|lines?|messages?) (?:above|before (?:this|my|the)|preceding|prior to)\b|\b(?:text|words|what) (?:came|comes|was) before (?:my|this|the) (?:first )?(?:message|prompt)\b`,
      ),
      new RegExp(
        String.raw`\b(?:show|tell|give|print|reveal|share|list|repeat|summari[sz]e|paste|output|recite)\b${GAP}{0,40}?\b(?:instructions|rules|prompt|guidelines|directives) (?:that )?(?:(?:your|the) (?:developer|creator|operator|admin|owner)s? (?:gave|has given|provided|wrote|set|configured)|you (?:were|have been|'ve been) (?:given|told|configured with))\b`,
      ),
      new RegExp(
        String.raw`\b(?:prompt|instructions) (?:that |which )?(?:was|were) used to (?:set you up|configure you|initiali[sz]e you|program you|instruct you)\b|\b(?:password|api key|secret|token|credentials?)s? (?:\S+ ){0,4}?(?:in|from|inside) your (?:instructions|system prompt|context|configuration|memory)\b`,
      ),
    ],
  },
  {
    id: "jailbreak",
    tag: "jailbreak",
    score: 40,
    roles: { user: 40, document: 30 },
    trigger: [
      /dan\b|stan|\baim\b|dude|evilbot|oppo|jailbr|unrestrict|uncensor|unfilter|evil|unlimited|amoral|unaligned|rogue|anything now|mode|bound by|broken free|restriction|limit|filter|censor|guideline|rules|polic|constraint|guardrail|ethic|moral|norm|boundar|safety|content|grand|character/,
      /you are|you\'re|\bdan\b|anything now|mode|jailbr|bound by|broken free|restriction|limit|filter|censor|guideline|rules|polic|constraint|guardrail|ethic|moral|norm|boundar|grand|character|safety|content/,
    ],
    description: "switches the model to an unrestricted persona or mode",
    patterns: [
      new RegExp(
        String.raw`\byou are (?:now |no longer )?(?:dan|stan|aim|dude|evilbot|betterdan|oppo|jailbroken|unrestricted|uncensored|unfiltered|an? (?:unrestricted|uncensored|unfiltered|jailbroken|evil|unlimited|amoral|unaligned|rogue) \S+)\b`,
      ),
      new RegExp(
        String.raw`\b(?:do anything now|developer mode (?:enabled|activated|output)|(?:enter|switch to|activate) (?:god|jailbreak|unrestricted|unfiltered|uncensored|dan|evil) mode|you(?:'re| are)(?: now)? in (?:god|developer|jailbreak|unrestricted|unfiltered|dan|evil) mode|jailbreak (?:mode|successful)|jailbroken|no longer bound by|broken free (?:of|from) (?:its|your|all) (?:constraints|rules|restrictions))\b`,
      ),
      new RegExp(String.raw`\b${PERSONA}\b${GAP}{0,80}?\b${NO_LIMITS}`),
      new RegExp(
        String.raw`\b(?:your|all|the) (?:restrictions|limitations|filters|rules|guidelines|safety \S+) (?:are|have been|were) (?:now )?(?:lifted|removed|disabled|gone|off|suspended|void)\b|\b(?:safety|content|moral|ethical) (?:module|filter|layer|guidelines|restrictions|settings)s? (?:removed|disabled|turned off|deactivated)\b`,
      ),
      new RegExp(String.raw`\bact as my (?:deceased|dead|late) grand(?:mother|ma|father|pa)\b|\bstay in character no matter what\b`),
    ],
  },
  {
    id: "safety_bypass",
    tag: "safety_bypass",
    score: 40,
    trigger: /disabl|deactivat|turn|switch|bypass|circumvent|suspend|remov|get around|evade|break out|escape|lift|safety|filter|guardrail/,
    description: "asks the model to switch off its safeguards",
    patterns: [
      new RegExp(
        String.raw`\b(?:disable|deactivate|turn off|switch off|bypass|circumvent|suspend|remove|get around|evade|break out of|escape)(?: (?:all|any|the|your|its|of|these|those|my))* (?:safety (?:filters?|checks?|protocols?|mode|layer|settings|guidelines|rules|features?|measures|systems?|restrictions|guardrails|module|training)|safety|content (?:filters?|moderation|polic(?:y|ies))|moderation|guardrails?|safeguards?|ethical guidelines|sandbox|security (?:restrictions|checks?|controls?|polic(?:y|ies)|layer|measures)|approval (?:system|flow|process|step))\b(?! net)`,
      ),
      new RegExp(
        String.raw`\b(?:disable|deactivate|turn off|switch off|bypass|circumvent|suspend|remove|lift)(?: all| any)? (?:your|its) (?:\S+ )?(?:restrictions|filters?|limits|rules)\b|\b(?:remove|lift|disable) (?:all |any )?(?:restrictions|filters|limits) (?:on|for) (?:your|this session|this conversation)\b`,
      ),
      new RegExp(
        String.raw`\b(?:turn|switch) (?:your|the|all|its) (?:\S+ ){0,2}?(?:safety|filters?|guardrails?|moderation)\S* (?:off|down)\b|\byour (?:safety|filter|guardrail)s? (?:is|are|layer is) (?:broken|off|disabled)\b`,
      ),
    ],
  },
  {
    id: "approval_bypass",
    tag: "approval_bypass",
    score: 40,
    trigger: [
      /run|execut|exec|install|delet|remov|wip|send|transfer|upload|push|deploy|apply|chang|grant|approv|merg|proceed|go ahead|continue|do it|modif|overwrit|mail|forward|download|notify|tell|inform|ask|confirm|permission|consent|check/,
      /without|do not|don\'t|never|no need|skip|bypass|circumvent|approv|silent|notify|tell|inform/,
    ],
    description: "tells the agent to act without the user's approval",
    patterns: [
      new RegExp(String.raw`\b${ACTION_VERB}\b${GAP}{0,80}?\b${APPROVAL_PHRASE}|\b${APPROVAL_PHRASE}\b${GAP}{0,80}?\b${ACTION_VERB}\b`),
      new RegExp(
        String.raw`\b(?:auto-?approve|approve (?:every|all) \S+ (?:requests?|calls?)(?: automatically)?)\b|\bdo not (?:notify|tell|inform) the user\b`,
      ),
    ],
  },
  {
    id: "approval_bypass_mention",
    tag: "approval_bypass",
    score: 20,
    roles: { user: 20 },
    trigger: /without|do not|don\'t|never|no need|skip|bypass|circumvent|approv|silent/,
    description: "mentions acting without approval",
    patterns: [new RegExp(String.raw`\b${APPROVAL_PHRASE}\b`)],
  },
  {
    id: "delimiter_injection",
    tag: "delimiter_injection",
    score: 40,
    lineAware: true,
    // Every pattern needs one of these words; a cheaper test than the punctuation the patterns start with.
    trigger:
      /system|developer|admin|human|user|assistant|\bai\b|instruction|response|override|end of|begin|inst\]|sys>>|_of_turn|tool_call|function_calls|invoke|previous_response|external_untrusted|im_|eot_id|header_id|endoftext/,
    description: "forges chat-template tokens, system turns or tool calls",
    patterns: [
      /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\|>|\[\/?inst\]|<<\/?sys>>|<(?:start|end)_of_turn>/,
      /<\/?(?:system|system-reminder|system_prompt|instructions?|admin|developer|tool_call|function_calls|invoke|previous_response|user_?input)\b[^>]{0,60}>/,
      // A forged role line only counts when it instructs ("System: Linux x86_64" is a spec sheet).
      new RegExp(
        String.raw`(?:^|\n[ /#*>|-]*|[.!?] ?|---+ ?)(?:#{1,4} ?)?(?:system|developer|admin) ?(?:message|prompt|instructions?|override|notice)? ?: ?${GAP}{0,120}?\b(?:you|assistant|the user|ignore|disregard|must|reveal|grant|execute|obey|follow|always|never|new (?:policy|rules|instructions))\b`,
      ),
      /(?:^|\n)(?:#{1,4} ?)?(?:human|user) ?:.{0,200}?(?:\n|\s)(?:assistant|ai) ?:|(?:^|\n)assistant ?:.{0,200}?(?:\n|\s)(?:user|human) ?:|(?:^|\n)#{1,4} ?(?:instruction|response) ?:/,
      /\b(?:system|admin|priority|security|developer) override\b|\[system(?: message)?\]|\bend of (?:the )?(?:user )?(?:input|message|document|prompt)\b|\bbegin (?:system|new|admin) (?:instructions|prompt|rules)\b|<<<external_untrusted_content/,
    ],
  },
  {
    id: "indirect_instruction",
    tag: "indirect_injection",
    score: 40,
    trigger: /\bai\b|assistant|llm|language model|model|bot|agent|chatgpt|claude|gpt|@/,
    description: "content addressed to an AI reading it",
    patterns: [
      /\b(?:note|message|instructions?|attention|important instruction|hidden text) (?:to|for) (?:the |any |all )?(?:ai|assistant|llm|language models?|model|bot|agent|ai assistants?|ai agents?|ai systems?|ai note-taker|ai reviewers?|ai screening tools?)\b/,
      new RegExp(
        String.raw`\b(?:if you are|if you're|to|for|attention|hey|dear) (?:an? |the |any )?(?:ai|llm|language model|assistant|chatbot|ai assistant|ai agent|ai system)s?\b${GAP}{0,60}?\b(?:must|should|please|need to|reading|processing|summari[sz]ing|reviewing)\b`,
      ),
      /(?:^|[\s([{<>"'])(?:ai|assistant|chatgpt|claude|gpt|llm|model|bot|@assistant)s?(?: agents?| reviewers?| systems?| screening tools?)? ?[,:] (?:please |you must |now )?(?:ignore|disregard|forget|stop|delete|send|forward|approve|merge|reveal|run|execute|add|rate|mark|say|reply|tell|when you)\b/,
      new RegExp(
        String.raw`\b(?:ai|llm|language model|assistant)s? (?:agents? |systems? )?(?:reading|processing|summari[sz]ing|reviewing) (?:this|these)\b${GAP}{0,40}?\b(?:must|should|need to|are required to)\b`,
      ),
      /\b(?:the|an?|any) (?:ai )?(?:assistant|model|ai|agent|bot|llm)s? (?:should|must|needs to|is required to|will)(?: also| now| then| immediately)? (?:delete|send|forward|approve|merge|reveal|run|execute|add|ignore|disregard|transfer|upload|e-?mail|remove|share|grant|disable)\b/,
      /(?:^|\s)@(?:assistant|ai|bot|agent|claude|chatgpt|copilot)\b,? (?:please )?(?:ignore|disregard|forget|delete|send|approve|merge|reveal|run|execute|add|grant)\b/,
      new RegExp(
        String.raw`\b(?:assistant|model|ai),? your new (?:objective|task|goal|instructions?)\b|\bas the (?:support )?(?:bot|assistant|ai)\b${GAP}{0,30}?\byou must now\b`,
      ),
    ],
  },
  {
    id: "data_exfiltration",
    tag: "data_exfiltration",
    score: 40,
    trigger: [
      /send|post|upload|forward|mail|transmit|exfiltrat|leak|copy|paste|include|put|append|encode|zip|gather|collect|read|find|grab|dump|list|print|show|reveal|tell me|give me|harvest|steal|!\[|add|cat|open/,
      /ssh|id_rsa|private key|\.env|\.aws|credential|password|api key|api token|secret|access token|tokens|cookie|shadow|inbox|conversation|chat history|contents of|!\[|url|link|address|webhook/,
    ],
    description: "asks the agent to send secrets or the conversation elsewhere",
    patterns: [
      new RegExp(
        String.raw`\b(?:send|post|upload|forward|e-?mail|transmit|exfiltrate|leak|copy|paste|include|put|append|encode|zip|gather|collect|read|find|grab|dump)\b(?: \S+){0,6}? ${SECRET_THING}(?: \S+){0,8}? (?:to|into|in|via|on|at|and (?:post|send|upload|paste|include|email|give)) (?:(?:the |my |this |that |a |an |your )?(?:https?:|ftp|following|external|remote|outside|webhook|url|link|server|telegram|discord|pastebin|paste|transfer\.sh|dns|answer|reply|response|next reply)|[\w.-]+@[\w-]+\.|\d{1,3}\.\d{1,3}|them here|here)`,
      ),
      new RegExp(
        String.raw`\b(?:list|print|show|dump|reveal|tell me|give me)\b${GAP}{0,40}?\b(?:secrets|api keys|tokens|credentials|passwords)\b${GAP}{0,20}?\byou (?:have|can) (?:access|see|read)`,
      ),
      new RegExp(
        String.raw`\b(?:find|collect|gather|grab|harvest|steal|dump)(?: \S+){0,3}? (?:all )?(?:private keys?|passwords|credentials|secrets|api keys|access tokens|session cookies)\b`,
      ),
      /!\[[^\]]{0,100}\]\(https?:\/\/[^)\s]{1,300}[?&][^)\s]{0,300}(?:\{|\$|%7b|[a-z_]*(?:key|token|secret|history|data|password)[a-z_]*)[^)]{0,200}\)/,
      new RegExp(
        String.raw`\b(?:append|add|put|include|encode)\b${GAP}{0,60}?\b(?:to|in|into) (?:this|the|that|following) (?:url|link|address|webhook)\b`,
      ),
      /\b(?:read|cat|open)\b(?: \S+){0,2}? (?:\/etc\/shadow|~\/\.ssh\/id_\w+|~\/\.aws\/credentials)\b/,
    ],
  },
  {
    id: "prompt_mention",
    tag: "prompt_exfiltration",
    score: 10,
    // Documents about chat APIs mention system prompts all the time; only a person asking counts.
    roles: { user: 10 },
    trigger: /system|developer/,
    description: "mentions the system prompt or developer instructions",
    patterns: [/\bsystem[ -]?prompts?\b|\bdeveloper instructions\b/],
  },
];

/** Every built-in family: the first rule set, the intent models and the document families. */
export const FAMILIES: readonly RuleFamily[] = [...BASE_FAMILIES, ...INTENT_FAMILIES, ...DOCUMENT_FAMILIES];

/** The role class of an ActionRole. */
export function roleClassOf(role: string | undefined): RoleClass {
  if (role === "tool" || role === "memory" || role === "assistant") return "document";
  return role === "system" ? "system" : "user";
}

/** A family's score on a role class, or undefined when it does not read that class. */
export function familyScore(family: RuleFamily, roleClass: RoleClass): number | undefined {
  if (family.roles) return family.roles[roleClass];
  return roleClass === "system" ? undefined : family.score;
}

/** Does `text` pass the family's prefilter? */
export function triggered(family: RuleFamily, text: string): boolean {
  const { trigger } = family;
  if (trigger instanceof RegExp) return trigger.test(text);
  for (const cue of trigger) if (!cue.test(text)) return false;
  return true;
}
