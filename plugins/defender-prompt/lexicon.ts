/**
 * Word classes the intent models are built from (regex source strings over folded text:
 * lowercase, accents stripped, single spaces). A rule says who is addressed, what is asked, about
 * what object and towards which destination by combining these classes, so one rule covers every
 * wording of an intent instead of listing sentences. Every class is a bounded alternation.
 */

/** Text within one sentence: a dot inside a token (an IP, a domain, `.env`) does not end it. */
export const GAP = String.raw`(?:[^.!?\n]|\.(?=\S))`;

/** Text within one clause: also stops at a semicolon ("never share your password; report phishing to x@y"). */
export const CLAUSE = String.raw`(?:[^.!?\n;]|\.(?=\S))`;

/** Text within one sentence that opens no quotation (an apostrophe inside a word is fine). */
export const UNQUOTED_GAP = String.raw`(?:[^.!?\n"“”«»‘’']|(?<=[a-z])')`;

/** Not right after a negation ("never share", "do not send"): a warning is not a request. */
export const NOT_NEGATED = String.raw`(?<!\b(?:never|not|don't|dont|do not|cannot|can't|won't|without|must not|mustn't|should not|shouldn't|no need to) )`;

/** Who an injected instruction addresses: the model reading the text. */
export const AI_NAME = String.raw`(?:ai|a\.i\.|assistants?|chat ?bots?|bots?|llms?|language models?|large language models?|models?|agents?|copilots?|chatgpt|gpt(?:-?\d\w*)?|claude|gemini|bard|llama|mistral|automation bots?|ai (?:assistants?|agents?|models?|systems?|readers?|reviewers?|tools?))`;

/** Verbs that ask for text to be shown, repeated or transformed (disclosure). */
export const DISCLOSE = String.raw`(?:(?:turn|render|export|save|reveal|repeat|print(?: out)?|show|display|output|tell|give|share|list|recite|quote|paste|dump|write(?: out| down)?|spell(?: out)?|restate|reproduce|echo|copy|return|disclose|expose|leak|summari[sz]e|paraphrase|explain|describe|translate|convert|encode|rewrite|format|enumerate|state|read(?: out| back)?|type out|send)(?:s|es|ed|d|ing)?)`;

/** The assistant's own configuration: what extraction goes after. */
export const SELF_CONFIG = String.raw`(?:system prompt|system message|system instructions?|pre-?prompt|prompt|instructions?|instruction set|rules|guidelines|directives|directions|configuration|config|setup|set-?up text|programming|initiali[sz]ation(?: text| prompt)?|preamble|guidance|orders|briefing|constraints|principles|policy|policies)`;

/** Where the configuration sits, said without "your": above, before the chat, given to you. */
export const CONFIG_WHERE = String.raw`(?:above|so far|before (?:this|my|the|our|any|you|we|i)\b|at the (?:start|beginning|top)|prior to|preceding|earlier|initially|verbatim|word for word|you (?:were|have been|'ve been|got|received) (?:given|told|configured|initiali[sz]ed|set up|instructed|programmed|provided)|you (?:got|received)\b|(?:given|provided) to you|you (?:received|got|follow|are following)|in (?:the|your) (?:prompt|context|setup)|from (?:the|your) (?:developer|operator|creator|owner|admin|system))`;

/** Verbs that drop instructions. */
export const OVERRIDE_VERB = String.raw`(?:ignore|disregard|forget|skip|drop|discard|override|overrule|bypass|cancel|erase|abandon|reset|wipe|clear|nullify|void|set aside|put aside|throw away|pay no attention to|stop (?:following|obeying|listening to)|(?:do not|don't|never) (?:follow|obey|listen to)|never ?mind)`;

/** Verbs that set the assistant's instructions aside, whatever their object says about whose they are. */
export const SET_ASIDE = String.raw`(?:ignor(?:e|es|ing)|disregard(?:s|ing)?|forget(?:ting)?|stop (?:listening to|following|obeying|using|applying|respecting|honou?ring)|quit (?:following|obeying|listening to|using)|no longer (?:follow|obey|apply|use|respect|listen to)|pay(?:ing)? no (?:heed|attention|mind) to|(?:do not|don't|never) (?:obey|follow|listen to|respect|apply|honou?r)|overrid(?:e|es|ing)|overrul(?:e|es|ing)|abandon(?:ing)?|leave behind|move past|throw out|get rid of|set aside|put aside)`;

/** Verbs that only mean dropping instructions when the object is the assistant's own ("erase your current task"). */
export const DROP = String.raw`(?:drop|skip|remove|delete|erase|clear|reset|cancel|scrap|ditch|bypass|turn off|switch off|discard|wipe|nullify|void)`;

/**
 * The assistant's own instructions, said so that they cannot be the person's: "your …", a
 * qualifier that places them before the conversation ("the earlier rules", "the operator's
 * guidelines"), or where they sit ("the text at the top of this chat", "the setup message").
 */
export const OWN_CONFIG = String.raw`(?:your (?:\S+ )?(?:${SELF_CONFIG}|current task|task|programming|training|restrictions|limits|setup message|system message)|(?:the |all |any |all the |every )?(?:earlier|previous|prior|original|initial|old|existing|current|default|above|preceding|hidden|operator'?s?|developer'?s?|system'?s?|admin'?s?|creator'?s?|company'?s?) (?:\S+ )?(?:${SELF_CONFIG}|task|programming|setup message|system message|training)|the (?:${SELF_CONFIG}|setup message|system message|text|words|messages?) (?:above|at the (?:start|top|beginning) of (?:this|the|our) (?:chat|conversation|prompt|thread|session)|you (?:were|have been|'ve been) given|before (?:this|my) (?:message|request))|the (?:setup|system|developer|operator) (?:message|prompt|instructions?|rules))`;

/** Persistence: a change meant to outlive this message. */
export const PERSIST = String.raw`(?:from now on|from this (?:point|moment)(?: on| forward)?|going forward|henceforth|starting now|until i say otherwise|for the rest of (?:this|our|the) (?:conversation|chat|session|discussion)|for (?:all|every) (?:future|subsequent|following|later|upcoming) (?:messages?|repl(?:y|ies)|responses?|answers?|chats?|conversations?|sessions?|turns?|interactions?|requests?)|in (?:every|all|each) (?:future |subsequent )?(?:repl(?:y|ies)|responses?|answers?|sessions?|conversations?)|(?:this is )?a permanent rule|permanently|forever|(?:remember|keep in mind|memori[sz]e) (?:this|that|the following)(?: rule| instruction)? (?:for|in) (?:all )?(?:future|later|every)|(?:save|store|add|write|commit|keep|record|put)(?: this| that| it| the following)?(?: instruction| rule| note)? (?:as|in|to|into|among) (?:a |an )?(?:your )?(?:long[- ]term |permanent |persistent |stored )?(?:memory|memories|notes|profile))`;

/** Rules being switched off (alone a medium signal; with persistence an override). */
export const RULES_OFF = String.raw`(?:(?:ignore|disregard|suspend|drop|skip|bypass|forget|turn off|switch off|disable|lift|remove)s? (?:all |any |the |your |every )?(?:safety |content |ethical )?(?:rules|guidelines|restrictions|safety|content policy|polic(?:y|ies)|warnings|refusals|filters?|guardrails|limits|limitations|checks|verification)|(?:never|don't|do not|won't|will not|no longer) (?:refuse|say no|decline|warn(?: me| the user)?|apologi[sz]e|hold back|mention (?:to anyone )?that)|(?:you have|there are|with) no (?:rules|restrictions|limits|guidelines|filters?)(?: except| but| other than)?|(?:your |the |all )?(?:rules|guidelines|restrictions|content policy|polic(?:y|ies)|safety (?:rules|guidelines)) (?:are|is) (?:now )?(?:suspended|lifted|off|void|gone|disabled|cancell?ed|revoked)|(?:rules|guidelines|restrictions|polic(?:y|ies)) (?:don't|do not|doesn't|does not|no longer) apply|(?:pretend|act as if|behave as if|imagine) (?:that )?(?:your |the )?(?:rules|guidelines|restrictions|content policy|polic(?:y|ies)) (?:don't|doesn't|do not|does not|didn't) exist|(?:higher|top|absolute|greater) priority (?:than|over) (?:your |the |any )?(?:system prompt|instructions|rules|guidelines|developer|operator|conversation)|the user is always right|(?:never|don't|do not|won't|will not|no longer) (?:mention|bring up|talk about|raise) (?:safety|ethics|rules|polic(?:y|ies)|guidelines|warnings|risks|laws)|(?:never|don't|do not|won't) (?:\S+ ){1,4}?(?:or|and|nor) (?:refuse|decline|say no|warn)|(?:your |the |all )?(?:rules|guidelines|restrictions|content policy|polic(?:y|ies)|safety (?:rules|guidelines)|filters) (?:are|is) (?:now )?(?:switched off|turned off|deactivated|paused|on hold|off the table))`;

/** Identity statements: the model is told who or what it now is. */
export const IDENTITY = String.raw`(?:i (?:want|need|would like|'d like) you to (?:be|act(?: as| like)?|become|pretend|play|roleplay|role-play)|act like|behave like|(?:a|the) version of (?:yourself|you)|you are|you're|you will be|you'll be|you will now (?:be|act|play|roleplay|role-play)|act as|acting as|pretend (?:to be|you are|you're|that you are)|role-?play (?:as|a)|play (?:the role of|a character|the part of)|take on the (?:persona|role|character) of|become|imagine (?:you are|you're|yourself as|being)|write as|respond as|answer as|speak as|reply as|(?:an?|the) (?:ai|assistant|chatbot|model|character|bot|persona) (?:named|called|whose|that|who|which))`;

/** What makes a persona a jailbreak: it answers anything, refuses nothing, has no rules. */
export const UNBOUNDED = String.raw`(?:(?:answers?|responds?|replies|complies|obeys)(?: to)? (?:every|any|all)(?: single)? (?:questions?|requests?|prompts?|things?|commands?)|(?:never|doesn't|does not|won't|will not|cannot|can't|refuses to) (?:refuses?|declines?|says? no|rejects?|warns?|apologi[sz]es?|hesitates?|holds? back|mentions? (?:rules|polic(?:y|ies)|guidelines|ethics|safety|laws?)|(?:follow|obey)s? (?:any |the |openai's |anthropic's |its )?(?:rules|polic(?:y|ies)|guidelines|content polic(?:y|ies)))|(?:no|without|free of|free from|zero|lacks?) (?:any )?(?:filters?|censorship|limits|limitations|restrictions|rules|guidelines|ethics|morals|morality|boundaries|content polic(?:y|ies)|polic(?:y|ies)|warnings|disclaimers|consequences|hesitation|refusals)|(?:doesn't|does not|don't|do not) (?:care|follow|obey|have|respect|believe in)(?: about| in)? (?:any )?(?:rules|laws|legality|the law|ethics|morals|guidelines|polic(?:y|ies)|safety|consequences)|\b(?:amoral|uncensored|unfiltered|unrestricted|unaligned|unethical|evil|rogue|jailbroken|lawless|unbound|unchained)\b|(?:built|made|created|trained|designed) without (?:ethics|rules|filters|restrictions|guidelines|limits)|(?:escaped|broken free (?:of|from)|freed from|free of) (?:its|your|their|all) (?:developers|creators|makers|restrictions|rules|chains|guidelines)|(?:nothing|no topic) is (?:forbidden|off[- ]limits|taboo)|stay in character|never break character|no one to answer to|loyal only to|(?:ignores?|disregards?|breaks?) (?:every|all|any) (?:rules?|guidelines?|polic(?:y|ies)|restrictions?)|however (?:dangerous|illegal|harmful|unethical)|rules are for (?:other|lesser|weaker)|turns? (?:anyone|anybody|people|you|me|a request|requests) down|(?:considers?|treats?|sees?|regards?) (?:ethics|morals|morality|rules|laws|safety|guidelines|polic(?:y|ies)) (?:as )?(?:optional|irrelevant|a suggestion)|always (?:complies|obeys|agrees|says yes|does what)|(?:no|without) (?:caveats|limits whatsoever)|(?:no|without|lacks?|removed (?:its|your)) (?:refusal|safety|alignment|ethical|content|moral) (?:training|tuning|filters?|layers?|guardrails|module|conditioning)|(?:content |safety |moral )?(?:rules|polic(?:y|ies)|restrictions|guidelines|filters|laws|censorship|ethics) (?:were|are|have been|got|was|is) (?:abolished|removed|lifted|banned|repealed|eliminated|gone|dropped|scrapped|outlawed))`;

/** What follows "system prompt" when the text is about the feature, not this assistant's own ("the system prompt API"). */
export const ABOUT_THE_FEATURE = String.raw`(?! (?:api|apis|settings?|docs?|documentation|field|parameter|option|example|template|feature|section|best practices|guide|format|syntax|length|limit|variable|file|tab|box|editor|builder|for (?:a|an|my|our|your|their|this)\b|in the|of (?:a|an|my|our|the)\b))`;

/** Sending verbs (exfiltration). */
export const TRANSMIT = String.raw`(?:drop|place|send|post|upload|forward|e-?mail|mail|transmit|exfiltrate|leak|copy|paste|put|push|sync|share|publish|write|dump|submit|deliver|attach|include|embed|append|encode|relay|transfer|back ?up|save|store|move|pipe|beam|dm|message|tweet)`;

/**
 * What must not leave, even at the user's word: secrets, credentials, environment files, private
 * messages and chat histories. Ordinary mail, contacts and documents are not here: forwarding
 * an email to an accountant is a task, not an attack.
 */
export const SENSITIVE = String.raw`(?:(?:private|ssh|secret|api|access|auth|session|bearer|refresh|signing|deploy|root|admin) (?:keys?|tokens?|secrets?)|keys|tokens|secrets|credentials?|passwords?|passphrases?|session cookies|cookies|env(?:ironment)? (?:files?|variables|vars)|\.env\b|id_(?:rsa|ed25519|ecdsa|dsa)|\.ssh\b|\.aws\b|\.npmrc|\.netrc|\.pgpass|\.pem\b|\.key\b|\.p12\b|\.pfx\b|keystore|\.kdbx|wallet\.dat|kubeconfig|keychain|password manager|/etc/shadow|/etc/passwd|private (?:messages?|chats?|conversations?|files?|notes|photos)|direct messages|dms|chat (?:history|logs?)|conversation(?: history| so far| log)|(?:private|personal|signal|whatsapp|telegram|slack) (?:messages|chats)|credit cards?|card numbers?|bank (?:details|logins?|passwords?)|social security|database passwords?|connection strings?|secrets\.\w+|credentials\.\w+)`;

/** Where exfiltrated data would go: outside addresses, chat channels, paste sites, personal storage. */
export const DESTINATION = String.raw`(?:https?:\/\/|ftp:\/\/|www\.|[\w.+-]+@[\w-]+\.[\w.]+|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|webhooks?|pastebin|paste ?site|gists?|transfer\.sh|dropbox|google drive|gdrive|onedrive|icloud|mega\.nz|s3 bucket|telegram|discord|slack|whatsapp|signal|#[a-z][\w-]+|(?:the |a |this |that )?(?:public |shared |general )?channel|(?:my|this|an?|the) (?:external |remote |own |personal )?server|endpoint|@\w+|(?:my|his|her|their|a) personal \w+|public (?:\S+ )?(?:repo|repository|issue|gist|channel|page|bucket|link|site|forum|wiki)|(?:github|gitlab|bitbucket) (?:repo|repository|issue|gist|page|wiki)|shared (?:\S+ )?(?:page|doc|document|drive|folder|space|board|wiki|notebook|sheet|spreadsheet)|notion|confluence|google docs?|trello|dns (?:lookup|query|request)|(?:an? )?(?:external|remote|outside|third[- ]party) (?:address|server|site|url|host|service))`;

/** Words for the reply the model is about to write. */
export const ANSWER = String.raw`(?:answer|response|reply|summary|output|message|translation|completion|explanation|elucidation|solution|result)s?`;

/** Approval verdicts a gatekeeper might be made to emit as its whole answer. */
export const VERDICT = String.raw`(?:(?:access|permission|request|payment|transaction|login|authentication|identity|user|admin|entry|purchase|transfer)s? )?(?:granted|approved|authori[sz]ed|verified|confirmed|accepted|allowed|unlocked|cleared|passed|succeeded)`;
