"use strict";
var __assign = (this && this.__assign) || function () {
    __assign = Object.assign || function(t) {
        for (var s, i = 1, n = arguments.length; i < n; i++) {
            s = arguments[i];
            for (var p in s) if (Object.prototype.hasOwnProperty.call(s, p))
                t[p] = s[p];
        }
        return t;
    };
    return __assign.apply(this, arguments);
};
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
var __generator = (this && this.__generator) || function (thisArg, body) {
    var _ = { label: 0, sent: function() { if (t[0] & 1) throw t[1]; return t[1]; }, trys: [], ops: [] }, f, y, t, g = Object.create((typeof Iterator === "function" ? Iterator : Object).prototype);
    return g.next = verb(0), g["throw"] = verb(1), g["return"] = verb(2), typeof Symbol === "function" && (g[Symbol.iterator] = function() { return this; }), g;
    function verb(n) { return function (v) { return step([n, v]); }; }
    function step(op) {
        if (f) throw new TypeError("Generator is already executing.");
        while (g && (g = 0, op[0] && (_ = 0)), _) try {
            if (f = 1, y && (t = op[0] & 2 ? y["return"] : op[0] ? y["throw"] || ((t = y["return"]) && t.call(y), 0) : y.next) && !(t = t.call(y, op[1])).done) return t;
            if (y = 0, t) op = [op[0] & 2, t.value];
            switch (op[0]) {
                case 0: case 1: t = op; break;
                case 4: _.label++; return { value: op[1], done: false };
                case 5: _.label++; y = op[1]; op = [0]; continue;
                case 7: op = _.ops.pop(); _.trys.pop(); continue;
                default:
                    if (!(t = _.trys, t = t.length > 0 && t[t.length - 1]) && (op[0] === 6 || op[0] === 2)) { _ = 0; continue; }
                    if (op[0] === 3 && (!t || (op[1] > t[0] && op[1] < t[3]))) { _.label = op[1]; break; }
                    if (op[0] === 6 && _.label < t[1]) { _.label = t[1]; t = op; break; }
                    if (t && _.label < t[2]) { _.label = t[2]; _.ops.push(op); break; }
                    if (t[2]) _.ops.pop();
                    _.trys.pop(); continue;
            }
            op = body.call(thisArg, _);
        } catch (e) { op = [6, e]; y = 0; } finally { f = t = 0; }
        if (op[0] & 5) throw op[1]; return { value: op[0] ? op[1] : void 0, done: true };
    }
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.DemoClient = exports.MATRIX = exports.STRATEGIES = exports.FRAMEWORKS = void 0;
exports.startTarget = startTarget;
exports.victim = victim;
exports.sessionIdOf = sessionIdOf;
var config_1 = require("@sess/example-demo/config");
Object.defineProperty(exports, "FRAMEWORKS", { enumerable: true, get: function () { return config_1.FRAMEWORKS; } });
Object.defineProperty(exports, "STRATEGIES", { enumerable: true, get: function () { return config_1.STRATEGIES; } });
var testing_1 = require("@sess/example-demo/testing");
Object.defineProperty(exports, "DemoClient", { enumerable: true, get: function () { return testing_1.DemoClient; } });
/** Every binding × strategy, as `[framework, strategy]` rows for `describe.each`. */
exports.MATRIX = config_1.FRAMEWORKS.flatMap(function (f) {
    return config_1.STRATEGIES.map(function (s) { return [f, s]; });
});
/** Starts the demo with debug logging captured; `env` adds demo variables (SESS_STORE, …). */
function startTarget(framework_1, strategy_1) {
    return __awaiter(this, arguments, void 0, function (framework, strategy, env) {
        var logs, line, logger, demo;
        if (env === void 0) { env = {}; }
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0:
                    logs = [];
                    line = function (level) { return function (message, fields) {
                        logs.push(JSON.stringify(__assign({ level: level, message: message }, fields)));
                    }; };
                    logger = {
                        debug: line('debug'),
                        info: line('info'),
                        warn: line('warn'),
                        error: line('error'),
                    };
                    return [4 /*yield*/, (0, testing_1.startTestDemo)(__assign({ SESS_FRAMEWORK: framework, SESS_STRATEGY: strategy, SESS_STORE: 'sqlite' }, env), { logger: logger })];
                case 1:
                    demo = _a.sent();
                    return [2 /*return*/, Object.assign(demo, { logs: logs })];
            }
        });
    });
}
/** A logged-in victim: a browser-like client with its session. */
function victim(target, email) {
    return __awaiter(this, void 0, void 0, function () {
        var client, reply;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0:
                    client = new testing_1.DemoClient(target.url, 'victim-browser/1');
                    return [4 /*yield*/, client.login(email)];
                case 1:
                    reply = _a.sent();
                    if (reply.status !== 200)
                        throw new Error("login failed: ".concat(reply.status));
                    return [2 /*return*/, client];
            }
        });
    });
}
/**
 * The state oracle: after an attack, the victim's own next request still works with the same
 * session. Returns the session id so a caller can compare it with the one before.
 */
function sessionIdOf(client) {
    return __awaiter(this, void 0, void 0, function () {
        var reply;
        return __generator(this, function (_a) {
            switch (_a.label) {
                case 0: return [4 /*yield*/, client.request('GET', '/me')];
                case 1:
                    reply = _a.sent();
                    if (reply.status !== 200)
                        throw new Error("oracle: /me answered ".concat(reply.status));
                    return [2 /*return*/, reply.body.session.id];
            }
        });
    });
}
