DROP INDEX `category_rules_user`;--> statement-breakpoint
CREATE UNIQUE INDEX `category_rules_user_contains` ON `category_rules` (`user_id`,`contains`);--> statement-breakpoint
CREATE UNIQUE INDEX `budgets_user_category` ON `budgets` (`user_id`,`category`,`currency`,`period`);