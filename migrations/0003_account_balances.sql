ALTER TABLE `accounts` ADD `balance_current` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `accounts` ADD `balance_pending` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `accounts` ADD `balance_version` integer DEFAULT 0 NOT NULL;